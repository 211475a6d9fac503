import Foundation
import Timing

/// A thread-safe ``TransferObserver`` that keeps every event it is given, for later analysis.
///
/// Recording is a lock and an array append (the array is reserved up front), so it can sit on the
/// download and load paths; `ProfilingBenchCases` measures the cost per event. Pass `nil` as the
/// observer to turn profiling off: `Optional<TransferObserver>.measure` then costs one branch.
///
/// ```swift
/// let recorder = PhaseRecorder()
/// let client = DatabricksClient(workspace: ws, observer: recorder)
/// // ... run the transfer ...
/// let profile = PhaseProfile(events: recorder.events())
/// ```
public final class PhaseRecorder: TransferObserver, @unchecked Sendable {
    // @unchecked Sendable: `buffer` is only touched while holding `lock`; `origin` is immutable.

    /// The instant all recorded times are measured from.
    public let origin: ContinuousClock.Instant
    private let lock = NSLock()
    private var buffer: [TransferEvent]
    /// Bytes each transfer buffer holds now, and their sum (see ``bufferLevel(_:buffer:)``).
    private var levels: [ObjectIdentifier: Int] = [:]
    private var levelTotal = 0
    private let bufferSink: (@Sendable (Int) -> Void)?

    /// - Parameters:
    ///   - origin: time zero of the recording (share it with the ``MemorySampler`` so charts line up).
    ///   - expectedEvents: capacity reserved up front, so appends rarely reallocate under the lock.
    ///   - bufferSink: told the summed fill of all transfer buffers whenever one changes.
    public init(origin: ContinuousClock.Instant = .now, expectedEvents: Int = 4096,
                bufferSink: (@Sendable (Int) -> Void)? = nil) {
        self.origin = origin
        self.bufferSink = bufferSink
        buffer = []
        buffer.reserveCapacity(max(0, expectedEvents))
    }

    public func record(_ event: TransferEvent) {
        lock.lock()
        buffer.append(event)
        lock.unlock()
    }

    public func bufferLevel(_ bytes: Int, buffer id: ObjectIdentifier) {
        lock.lock()
        levelTotal += bytes - (levels[id] ?? 0)
        levels[id] = bytes == 0 ? nil : bytes
        let total = levelTotal
        lock.unlock()
        bufferSink?(total)
    }

    /// Number of events recorded so far.
    public var count: Int {
        lock.lock(); defer { lock.unlock() }
        return buffer.count
    }

    /// A copy of the events recorded so far, with times relative to ``origin``.
    public func events() -> [RecordedEvent] {
        lock.lock()
        let snapshot = buffer
        lock.unlock()
        return snapshot.map { RecordedEvent($0, origin: origin) }
    }

    /// Returns the events recorded so far and forgets them (for one recorder across several runs).
    public func drain() -> [RecordedEvent] {
        lock.lock()
        let snapshot = buffer
        buffer.removeAll(keepingCapacity: true)
        lock.unlock()
        return snapshot.map { RecordedEvent($0, origin: origin) }
    }

    /// Times `body` and records it as one span of `phase`.
    public func measure<T>(_ phase: TransferPhase, table: String? = nil, bytes: Int = 0, rows: Int = 0,
                           detail: String? = nil, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        let value = try body()
        record(TransferEvent(phase: phase, table: table, start: start, duration: start.duration(to: .now),
                             bytes: bytes, rows: rows, detail: detail))
        return value
    }

    /// Times the async `body` and records it as one span of `phase`.
    public func measure<T>(_ phase: TransferPhase, table: String? = nil, bytes: Int = 0, rows: Int = 0,
                           detail: String? = nil, _ body: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        let value = try await body()
        record(TransferEvent(phase: phase, table: table, start: start, duration: start.duration(to: .now),
                             bytes: bytes, rows: rows, detail: detail))
        return value
    }
}
