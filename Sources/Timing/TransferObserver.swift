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
