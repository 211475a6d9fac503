import ArrowIPC
import Databricks
import Timing

/// Where a strategy puts a chunk's rows: the part of the pipeline that differs per strategy.
/// A sink lives on its table's writer thread and is used by one table load only.
protocol RowSink: AnyObject {
    /// Loads one chunk's rows (in row order) and returns how many it held.
    func append(_ chunk: ResultChunk, observer: (any TransferObserver)?, table: String) throws -> Int
    /// Moves whatever is still pending into the staging table.
    func finish(observer: (any TransferObserver)?, table: String) throws
    /// Drops anything staged outside the transaction (files); called after a failure.
    func discard()
}

extension RowSink {
    func discard() {}
}

extension ResultChunk {
    /// The JSON_ARRAY rows, or an error naming what arrived instead.
    func jsonRows() throws -> [[String?]] {
        guard case .json(let rows) = payload else { throw LoadError.unexpectedPayload("a non-JSON chunk to a JSON strategy") }
        return rows
    }

    /// The Arrow record batches of the chunk, decoded in place (timed as `decode`).
    func arrowBatches(observer: (any TransferObserver)?, table: String) throws -> [RecordBatch] {
        try arrowStream(observer: observer, table: table).batches
    }

    /// The chunk's Arrow schema and record batches, decoded in place (timed as `decode`).
    func arrowStream(observer: (any TransferObserver)?, table: String) throws -> (schema: ArrowSchemaDescription, batches: [RecordBatch]) {
        guard case .arrow(let pieces) = payload else { throw LoadError.unexpectedPayload("a non-Arrow chunk to an Arrow strategy") }
        return try observer.measure(.decode, table: table, bytes: memoryBytes) { () throws -> (ArrowSchemaDescription, [RecordBatch]) in
            // Piece by piece: a batch inside one piece points into it, without a copy.
            var decoder = StreamDecoder()
            var batches: [RecordBatch] = []
            for piece in pieces { batches += try decoder.feed(piece) }
            try decoder.finish()
            guard let schema = decoder.schema else { throw ArrowIPCError(.invalid, "stream has no schema", offset: 0) }
            return (schema, batches)
        }
    }
}

/// A streaming result with no chunks: the staging table stays empty (rows go through ``StreamingScan``).
final class NoRowsSink: RowSink {
    func append(_ chunk: ResultChunk, observer: (any TransferObserver)?, table: String) throws -> Int {
        throw LoadError.unexpectedPayload("a chunk where the result had none")
    }

    func finish(observer: (any TransferObserver)?, table: String) throws {}
}
