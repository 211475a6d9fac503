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

/// One timed span of work, with the bytes and rows it moved.
public struct TransferEvent: Sendable {
    public var phase: TransferPhase
    /// The table (`catalog.schema.table`) the work belongs to, when known.
    public var table: String?
    /// Start of the span, on the continuous clock (monotonic).
    public var start: ContinuousClock.Instant
    public var duration: Duration
    public var bytes: Int
    public var rows: Int
    /// A short, secret-free description (e.g. "chunk 3", "HTTP 503 from storage"). Never a URL with a signature.
    public var detail: String?

    public init(phase: TransferPhase, table: String? = nil, start: ContinuousClock.Instant, duration: Duration,
                bytes: Int = 0, rows: Int = 0, detail: String? = nil) {
        self.phase = phase; self.table = table; self.start = start; self.duration = duration
        self.bytes = bytes; self.rows = rows; self.detail = detail
    }
}

/// Receives timing events from the client and the replicator. Must be cheap and thread-safe: it is
/// called from download tasks and the load actor concurrently.
public protocol TransferObserver: Sendable {
    func record(_ event: TransferEvent)
    /// A transfer buffer now holds `bytes`: the download pipeline (chunks in flight and waiting) or
    /// the scan queue (batches waiting for DuckDB). `buffer` tells the holders apart; a holder
    /// reports 0 when it is done. The profiler sums the holders for the buffer's high-water mark.
    func bufferLevel(_ bytes: Int, buffer: ObjectIdentifier)
}

extension TransferObserver {
    public func bufferLevel(_ bytes: Int, buffer: ObjectIdentifier) {}
}

extension Optional where Wrapped == any TransferObserver {
    /// Times `body` and reports it, only when an observer is attached: with none, this costs one branch.
    @inlinable
    public func measure<T>(_ phase: TransferPhase, table: String? = nil, bytes: Int = 0, rows: Int = 0,
                           detail: String? = nil, _ body: () throws -> T) rethrows -> T {
        guard let observer = self else { return try body() }
        let start = ContinuousClock.now
        let value = try body()
        observer.record(TransferEvent(phase: phase, table: table, start: start, duration: start.duration(to: .now),
                                      bytes: bytes, rows: rows, detail: detail))
        return value
    }
}
