import Databricks
import Foundation
import NIOCore
import Testing
@testable import Replication

/// The one place chunks are decoded for loading: Arrow batches for `streaming` and `parquet`, text
/// rows for `basic` and `batch`, each checked against the chunk's manifest row count.
@Suite struct ChunkDecoderTests {
    let decoder = ChunkDecoder(observer: nil, table: "main.demo.events")

    /// A fixture of the Arrow IPC tests.
    static func fixture(_ name: String) throws -> Data {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../ArrowIPCTests/Fixtures/\(name)").standardizedFileURL
        return try Data(contentsOf: url)
    }

    static func chunk(_ payload: ResultChunk.Payload, rows: Int64) -> ResultChunk {
        ResultChunk(index: 4, rowOffset: 0, rowCount: rows, wireBytes: 0, payload: payload)
    }

    /// The Arrow stream split in two pieces, and the rows DuckDB read from it (the fixture's expected values).
    static func arrowPieces() throws -> (pieces: [ByteBuffer], rows: Int64) {
        let stream = ByteBuffer(bytes: try fixture("primitives.arrows"))
        let half = stream.readableBytes / 2
        let pieces = [stream.getSlice(at: 0, length: half)!, stream.getSlice(at: half, length: stream.readableBytes - half)!]
        struct Expected: Decodable { var row_count: Int64 }
        let expected = try JSONDecoder().decode(Expected.self, from: try fixture("primitives.expected.json"))
        return (pieces, expected.row_count)
    }

    @Test func arrowChunksDecodeToTheirNonEmptyBatches() throws {
        let (pieces, rows) = try Self.arrowPieces()
        let (schema, batches) = try decoder.arrow(Self.chunk(.arrow(pieces), rows: rows))
        #expect(!schema.fields.isEmpty)
        #expect(!batches.isEmpty && batches.allSatisfy { $0.length > 0 })
        #expect(batches.reduce(0) { $0 + Int64($1.length) } == rows)
    }

    @Test func arrowRowsOtherThanTheManifestsFail() throws {
        let (pieces, rows) = try Self.arrowPieces()
        let error = #expect(throws: LoadError.self) { try decoder.arrow(Self.chunk(.arrow(pieces), rows: rows + 1)) }
        #expect(error?.description == "chunk 4 held \(rows) rows where the manifest promised \(rows + 1)")
    }

    @Test func aCorruptStreamFailsToDecode() throws {
        let (pieces, rows) = try Self.arrowPieces()
        #expect(throws: (any Error).self) { try decoder.arrow(Self.chunk(.arrow([pieces[0]]), rows: rows)) }
    }

    @Test func textRowsAreCheckedToo() throws {
        let rows: [[String?]] = [["1", nil], ["2", "b"]]
        #expect(try decoder.textRows(Self.chunk(.json(rows), rows: 2)) == rows)
        #expect(throws: LoadError.self) { try decoder.textRows(Self.chunk(.json(rows), rows: 3)) }
    }

    @Test func aChunkOfTheWrongFormatIsRefused() throws {
        let (pieces, rows) = try Self.arrowPieces()
        let json = #expect(throws: LoadError.self) { try decoder.arrow(Self.chunk(.json([]), rows: 0)) }
        #expect(json?.description.contains("non-Arrow") == true)
        let arrow = #expect(throws: LoadError.self) { try decoder.textRows(Self.chunk(.arrow(pieces), rows: rows)) }
        #expect(arrow?.description.contains("non-JSON") == true)
        #expect(throws: LoadError.self) { try decoder.arrow(Self.chunk(.csv(ByteBuffer(string: "a\n")), rows: 0)) }
    }
}
