/// A phase of moving a table from the warehouse into DuckDB.
///
/// The client reports the network phases; the replicator reports decode, conversion, load and commit.
/// The profiler (a ``TransferObserver``) attributes wall time to them without either side knowing
/// about reports.
public enum TransferPhase: String, Sendable, Codable, CaseIterable {
    case metadata          // Unity Catalog / DESCRIBE calls, planning
    case request           // one HTTP round trip to the workspace API
    case warehouseWait     // statement PENDING/RUNNING: queue and execution on the warehouse
    case download          // bytes of one external link (or inline page) received
    case decompress        // LZ4/ZSTD decompression of a chunk
    case decode            // Arrow IPC / JSON / CSV parsing into columnar batches
    case convert           // type conversion before the load (e.g. JSON text -> STRUCT)
    case load              // appending into DuckDB
    case commit            // staging -> target swap and transaction commit
    case verify            // row count / checksum verification
    case retry             // a retried request or download (duration = backoff slept)
}
