import ArrowIPC
import Databricks
import Foundation
import Timing

/// Hands decoded record batches from the download loop (an async task) to DuckDB's scan threads,
/// which pull them through `ArrowArrayStream.get_next` while one `INSERT … SELECT` runs.
///
/// The producer never blocks: it waits for room with ``waitForRoom(for:limit:)`` (a short sleep loop on
/// the async side), so no cooperative thread is ever parked on a lock. The consumer blocks in
/// ``pop()`` on a condition variable, on DuckDB's own thread.
final class ScanBatchQueue: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is touched only while holding `condition`.
    private let condition = NSCondition()
    /// Popped slots are set to nil at once, so a batch handed to DuckDB is not kept alive here.
    private var items: [(batch: RecordBatch, bytes: Int)?] = []
    private var head = 0
    private var held = 0 {
        didSet { if held != oldValue { observer?.bufferLevel(held, buffer: ObjectIdentifier(self)) } }
    }
    private let observer: (any TransferObserver)?
    private var finished = false
    private var stopped = false

    /// - Parameter observer: told the queued bytes whenever they change (the profiler's buffer gauge).
    init(observer: (any TransferObserver)? = nil) { self.observer = observer }

    /// Adds a chunk's batches; `bytes` is what they hold in memory (shared out evenly).
    func push(_ batches: [RecordBatch], bytes: Int) {
        guard !batches.isEmpty else { return }
        let share = bytes / batches.count
        condition.lock()
        if !stopped {
            items += batches.map { ($0, share) }
            held += share * batches.count
            condition.signal()
        }
        condition.unlock()
    }

    /// No more batches: the scan ends once the queue is empty.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The consumer is done (the INSERT returned): later pushes are dropped.
    func stop() {
        condition.lock()
        stopped = true
        items = []; head = 0; held = 0
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, waiting for one; nil at the end.
    func pop() -> RecordBatch? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && !finished && !stopped { condition.wait() }
        guard head < items.count, !stopped else { return nil }
        guard let item = items[head] else { return nil }
        items[head] = nil
        head += 1
        held -= item.bytes
        if head > 64 && head * 2 > items.count { items.removeFirst(head); head = 0 }
        return item.batch
    }

    var isStopped: Bool {
        condition.lock(); defer { condition.unlock() }
        return stopped
    }

    /// Waits (asynchronously) until `bytes` more fit under `limit`, the queue is empty (a chunk
    /// larger than the limit goes alone), or the consumer stopped.
    func waitForRoom(for bytes: Int, limit: Int) async throws {
        while isFull(adding: bytes, limit: limit) { try await Task.sleep(for: .milliseconds(2)) }
    }

    private func isFull(adding bytes: Int, limit: Int) -> Bool {
        condition.lock(); defer { condition.unlock() }
        return held > 0 && held + bytes > limit && !stopped
    }
}
