import ArrowIPC
import Foundation
import NIOCore
import Testing
@testable import Databricks

/// The check every fetched chunk passes: its rows counted in its own format and compared with the
/// manifest; a failure names the chunk and is what the downloader retries.
@Suite struct ChunkIntegrityTests {
    let integrity = ChunkIntegrity(table: "main.demo.events", chunkCount: 3)

    static func arrowFixture(_ name: String) throws -> ByteBuffer {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../ArrowIPCTests/Fixtures/\(name)").standardizedFileURL
        return ByteBuffer(bytes: try Data(contentsOf: url))
    }

    @Test func arrowRowsComeFromTheHeadersOfAllPieces() throws {
        let stream = try Self.arrowFixture("primitives.arrows")
        let (_, batches) = try StreamDecoder.decodeAll(stream)
        let rows = Int64(batches.reduce(0) { $0 + $1.length })
        let half = stream.readableBytes / 2
        let pieces = [stream.getSlice(at: 0, length: half)!, stream.getSlice(at: half, length: stream.readableBytes - half)!]
        let (payload, counted) = try integrity.payload(.arrowStream, pieces: pieces, chunk: 1)
        #expect(counted == rows)
        guard case .arrow(let kept) = payload else { Issue.record("not an Arrow payload"); return }
        #expect(kept.count == 2)                                  // the pieces are kept as they came
        try integrity.expect(counted, rows, chunk: 1)
        try integrity.expect(counted, nil, chunk: 1)              // no manifest count: nothing to compare
    }

    @Test func aCutArrowStreamIsCorrupt() throws {
        let stream = try Self.arrowFixture("primitives.arrows")
        let cut = stream.getSlice(at: 0, length: stream.readableBytes - 3)!
        let failure = #expect(throws: ChunkIntegrity.Failure.self) { try integrity.payload(.arrowStream, pieces: [cut], chunk: 2) }
        #expect(failure?.cause.hasPrefix("undecodable Arrow stream") == true)
        guard case .corruptChunk(let table, let chunk, let count, let reason)? = failure?.error else {
            Issue.record("not a corrupt-chunk error"); return
        }
        #expect(table == "main.demo.events" && chunk == 2 && count == 3)
        #expect(reason.contains("truncated"))
    }

    @Test func aRowCountOtherThanTheManifestsFails() {
        let failure = #expect(throws: ChunkIntegrity.Failure.self) { try integrity.expect(9, 10, chunk: 0) }
        #expect(failure?.cause == "chunk held 9 rows, expected 10")
        guard case .rowCountMismatch(_, 0, 3, 10, 9)? = failure?.error else { Issue.record("not a row-count mismatch"); return }
    }

    @Test func jsonRowsAreParsedAcrossPieces() throws {
        let pieces = [ByteBuffer(string: #"[["1",null],["#), ByteBuffer(string: #""x",true]]"#)]
        let (payload, rows) = try integrity.payload(.jsonArray, pieces: pieces, chunk: 0)
        #expect(rows == 2)
        guard case .json(let values) = payload else { Issue.record("not a JSON payload"); return }
        #expect(values == [["1", nil], ["x", "true"]])
        let failure = #expect(throws: ChunkIntegrity.Failure.self) {
            try integrity.payload(.jsonArray, pieces: [ByteBuffer(string: #"[["1"]"#)], chunk: 0)
        }
        #expect(failure?.cause == "invalid JSON body")
    }

    @Test func csvHeaderCountsOnlyInTheFirstChunk() throws {
        let body = ByteBuffer(string: "a,b\n1,\"x\ny\"\n")
        #expect(try integrity.payload(.csv, pieces: [body], chunk: 0).rows == 1)
        #expect(try integrity.payload(.csv, pieces: [body], chunk: 1).rows == 2)
        let failure = #expect(throws: ChunkIntegrity.Failure.self) {
            try integrity.payload(.csv, pieces: [ByteBuffer(string: "a,\"b\n")], chunk: 1)
        }
        #expect(failure?.cause == "CSV cut inside a quoted field")
    }
}
