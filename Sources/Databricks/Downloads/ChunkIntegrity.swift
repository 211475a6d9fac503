import ArrowIPC
import Foundation
import NIOCore
import NIOFoundationCompat

/// The integrity check of a fetched chunk: its bytes are read as far as needed to count its rows
/// (Arrow message headers, JSON rows, CSV records) and the count must be the manifest's. A body
/// that fails is what a cut or corrupted download looks like, so downloads retry it.
struct ChunkIntegrity {
    let table: String?
    let chunkCount: Int

    /// A chunk whose bytes failed the check: `cause` for the retry log, `error` if retries run out.
    struct Failure: Error {
        var cause: String
        var error: ResultError
    }

    /// The payload of a downloaded body in `format` (pieces in order), and the rows it holds.
    func payload(_ format: ResultFormat, pieces: [ByteBuffer], chunk: Int) throws(Failure)
        -> (payload: ResultChunk.Payload, rows: Int64)
    {
        switch format {
        case .arrowStream:
            return (.arrow(pieces), try arrowRows(pieces, chunk: chunk))
        case .jsonArray:
            let body = pieces.joined
            guard let values = body.withUnsafeReadableBytes(JSONRowsParser.parse) else {
                throw Failure(cause: "invalid JSON body",
                              error: corrupt(chunk, "the JSON_ARRAY body is not an array of rows"))
            }
            return (.json(values), Int64(values.count))
        case .csv:
            let body = pieces.joined
            guard let records = CSVRecordCounter.count(body) else {
                throw Failure(cause: "CSV cut inside a quoted field", error: corrupt(chunk, "CSV ends inside a quoted field"))
            }
            // Only the first chunk starts with the header row.
            return (.csv(body), chunk == 0 && records > 0 ? records - 1 : records)
        }
    }

    /// Rows of an Arrow IPC stream, from its message headers.
    func arrowRows(_ pieces: [ByteBuffer], chunk: Int) throws(Failure) -> Int64 {
        do {
            return try StreamRowCounter.count(pieces)
        } catch {
            throw Failure(cause: "undecodable Arrow stream (\(error))", error: corrupt(chunk, "\(error)"))
        }
    }

    /// Throws unless `rows` is what the manifest promised (nothing to compare when it did not say).
    func expect(_ rows: Int64, _ expected: Int64?, chunk: Int) throws(Failure) {
        guard let expected, expected != rows else { return }
        throw Failure(cause: "chunk held \(rows) rows, expected \(expected)",
                      error: .rowCountMismatch(table: table, chunk: chunk, chunkCount: chunkCount,
                                               expected: expected, actual: rows))
    }

    func corrupt(_ chunk: Int, _ reason: String) -> ResultError {
        .corruptChunk(table: table, chunk: chunk, chunkCount: chunkCount, reason: reason)
    }
}
