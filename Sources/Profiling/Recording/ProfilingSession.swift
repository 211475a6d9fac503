/// A recorder and a memory sampler sharing one origin: what `dbduck analyze` attaches to a run.
///
/// ```swift
/// let session = ProfilingSession()
/// session.start()
/// let client = DatabricksClient(workspace: ws, options: options, observer: session.recorder)
/// // ... replicate the sample ...
/// let run = session.stop()                 // events + memory timeline
/// let row = StrategyRun(strategy: "streaming", run: run)
/// ```
public final class ProfilingSession: Sendable {
    public let recorder: PhaseRecorder
    public let sampler: MemorySampler

    /// - Parameters:
    ///   - memoryInterval: time between RSS samples.
    ///   - bufferProbe: the download buffer's current fill, sampled with RSS (optional).
    public init(memoryInterval: Duration = .milliseconds(50), bufferProbe: (@Sendable () -> Int)? = nil,
                expectedEvents: Int = 4096) {
        let origin = ContinuousClock.now
        let sampler = MemorySampler(interval: memoryInterval, origin: origin, bufferProbe: bufferProbe)
        self.sampler = sampler
        // Downloads in flight and batches queued for DuckDB, summed: the transfer's buffer.
        recorder = PhaseRecorder(origin: origin, expectedEvents: expectedEvents,
                                 bufferSink: { sampler.noteBuffer(bytes: $0) })
    }

    /// Returns freed heap to the kernel (so earlier runs in this process do not inflate this
    /// one's RSS) and starts memory sampling. Events are recorded whenever the recorder is attached.
    public func start() {
        MemoryProbe.releaseFreedMemory()
        sampler.start()
    }

    /// Stops sampling and returns everything recorded.
    public func stop() -> ProfiledRun {
        let memory = sampler.stop()
        let events = recorder.events()
        let wall = memory.samples.last.map { $0.time } ?? 0
        return ProfiledRun(events: events, memory: memory, wallSeconds: wall)
    }
}

/// What a ``ProfilingSession`` recorded.
public struct ProfiledRun: Sendable, Codable, Hashable {
    public var events: [RecordedEvent]
    public var memory: MemoryTimeline
    /// Seconds from the session's origin to ``ProfilingSession/stop()``.
    public var wallSeconds: Double

    public init(events: [RecordedEvent], memory: MemoryTimeline, wallSeconds: Double) {
        self.events = events; self.memory = memory; self.wallSeconds = wallSeconds
    }
}

extension StrategyRun {
    /// A strategy's row in the comparison from its profiled run: time, rows and bytes from the
    /// profile of all its events (as the report's profiles count them, so the configured run's
    /// row and its profile agree), peak RSS from the timeline.
    public init(strategy: String, run: ProfiledRun, chunkSize: Int? = nil) {
        let profile = PhaseProfile(events: run.events)
        self.init(strategy: strategy, seconds: profile.elapsedSeconds, rows: profile.rows,
                  bytes: profile.bytes, peakRSSBytes: run.memory.peakResidentBytes, chunkSize: chunkSize)
    }
}
