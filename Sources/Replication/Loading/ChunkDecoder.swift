import ArrowIPC
import Databricks
import Timing

/// Decodes a downloaded chunk into what a strategy loads, and checks that it holds the rows the
/// manifest promised. Every strategy decodes here: `streaming` and `parquet` read Arrow record
/// batches, `basic` and `batch` read JSON_ARRAY rows.
///
/// ```swift
/// let (schema, batches) = try ChunkDecoder(observer: observer, table: "main.demo.events").arrow(chunk)
/// ```
struct ChunkDecoder {
    let observer: (any TransferObserver)?
    /// The source table, for the `decode` events.
    let table: String

    /// The chunk's Arrow schema and its non-empty record batches, decoded in place (timed as `decode`).
    func arrow(_ chunk: ResultChunk) throws -> (schema: ArrowSchemaDescription, batches: [RecordBatch]) {
        guard case .arrow(let pieces) = chunk.payload else {
            throw LoadError.unexpectedPayload("a non-Arrow chunk to an Arrow strategy")
        }
        let (schema, batches) = try observer.measure(.decode, table: table, bytes: chunk.memoryBytes) {
            () throws -> (ArrowSchemaDescription, [RecordBatch]) in
            // Piece by piece: a batch inside one piece points into it, without a copy.
            var decoder = StreamDecoder()
            var batches: [RecordBatch] = []
            for piece in pieces { batches += try decoder.feed(piece) }
            try decoder.finish()
            guard let schema = decoder.schema else { throw ArrowIPCError(.invalid, "stream has no schema", offset: 0) }
            return (schema, batches.filter { $0.length > 0 })   // an empty batch is nothing to load
        }
        try expect(rows: batches.reduce(0) { $0 + Int64($1.length) }, in: chunk)
        return (schema, batches)
    }

    /// The chunk's JSON_ARRAY rows: every non-null value as text, NULL as nil.
    func textRows(_ chunk: ResultChunk) throws -> [[String?]] {
        guard case .json(let rows) = chunk.payload else {
            throw LoadError.unexpectedPayload("a non-JSON chunk to a JSON strategy")
        }
        try expect(rows: Int64(rows.count), in: chunk)
        return rows
    }

    /// The chunk's row count was checked against the manifest when it was fetched; the decoded rows
    /// must agree with it, or rows would be lost or invented between download and load.
    private func expect(rows: Int64, in chunk: ResultChunk) throws {
        guard rows == chunk.rowCount else {
            throw LoadError.rowCountMismatch(chunk: chunk.index, expected: chunk.rowCount, got: rows)
        }
    }
}
