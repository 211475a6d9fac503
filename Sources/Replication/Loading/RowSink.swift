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

/// A streaming result with no chunks: the staging table stays empty (rows go through ``StreamingScan``).
final class NoRowsSink: RowSink {
    func append(_ chunk: ResultChunk, observer: (any TransferObserver)?, table: String) throws -> Int {
        throw LoadError.unexpectedPayload("a chunk where the result had none")
    }

    func finish(observer: (any TransferObserver)?, table: String) throws {}
}
