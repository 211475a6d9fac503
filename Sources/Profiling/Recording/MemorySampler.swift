import Foundation
import Timing

/// Samples RSS every `interval` on a background thread, from ``start()`` to ``stop()``.
///
/// A thread rather than a task: sampling must keep its rhythm while the cooperative pool is busy
/// decoding. The download buffer's fill comes from `bufferProbe` at each sample, and/or exactly
/// from ``noteBuffer(bytes:)`` calls made wherever the buffer changes.
///
/// ```swift
/// let sampler = MemorySampler(interval: .milliseconds(50), origin: recorder.origin)
/// sampler.start()
/// // ... run ...
/// let memory = sampler.stop()     // memory.peakResidentBytes, memory.samples
/// ```
public final class MemorySampler: @unchecked Sendable {
    // @unchecked Sendable: mutable state is guarded by `lock`; the rest is immutable.
    public let interval: Duration
    public let origin: ContinuousClock.Instant
    private let bufferProbe: (@Sendable () -> Int)?
    private let lock = NSLock()
    private var samples: [MemorySample] = []
    private var bufferHighWater: Int?
    /// The fill last reported through ``noteBuffer(bytes:)``, sampled along with RSS.
    private var bufferNow: Int?
    private var baseline = 0
    private var peakWasReset = false
    private var running = false
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - interval: time between samples (at least 1 ms).
    ///   - origin: time zero, shared with the ``PhaseRecorder``.
    ///   - bufferProbe: returns the download buffer's current fill in bytes.
    public init(interval: Duration = .milliseconds(50), origin: ContinuousClock.Instant = .now,
                bufferProbe: (@Sendable () -> Int)? = nil) {
        self.interval = max(interval, .milliseconds(1))
        self.origin = origin
        self.bufferProbe = bufferProbe
    }

    /// Resets the kernel's peak (where allowed), takes a first sample and starts the thread.
    /// Calling it while running does nothing.
    public func start() {
        lock.lock()
        guard !running else { lock.unlock(); return }
        running = true
        samples.removeAll(keepingCapacity: true)
        bufferHighWater = nil
        bufferNow = nil
        lock.unlock()
        let reset = MemoryProbe.resetPeak()
        let first = MemoryProbe.residentBytes() ?? 0
        lock.lock(); peakWasReset = reset; baseline = first; lock.unlock()
        sampleNow()
        let thread = Thread { [self] in
            let nanos = Int(interval.seconds * 1e9)
            while isRunning {
                _ = wake.wait(timeout: .now() + .nanoseconds(nanos))
                sampleNow()
            }
            finished.signal()
        }
        thread.name = "dbduck.memory-sampler"
        thread.start()
    }

    /// Stops the thread, takes a last sample and returns the timeline. Without a prior ``start()``
    /// it returns an empty timeline.
    public func stop() -> MemoryTimeline {
        lock.lock()
        let wasRunning = running
        running = false
        lock.unlock()
        if wasRunning {
            wake.signal()
            finished.wait()
        }
        sampleNow()
        lock.lock(); defer { lock.unlock() }
        var peak = samples.map(\.residentBytes).max() ?? 0
        if peakWasReset, let kernelPeak = MemoryProbe.peakResidentBytes() { peak = max(peak, kernelPeak) }
        return MemoryTimeline(samples: samples, baselineResidentBytes: baseline, peakResidentBytes: peak,
                              bufferHighWaterBytes: bufferHighWater, intervalSeconds: interval.seconds)
    }

    /// Reports the download buffer's fill now (cheap: a lock and a max).
    public func noteBuffer(bytes: Int) {
        lock.lock()
        if running { bufferHighWater = max(bufferHighWater ?? 0, bytes) }
        bufferNow = bytes
        lock.unlock()
    }

    /// Takes one sample immediately (also called by the thread).
    public func sampleNow() {
        let rss = MemoryProbe.residentBytes() ?? 0
        let probed = bufferProbe?()
        let time = (ContinuousClock.now - origin).seconds
        lock.lock()
        let buffer = probed ?? bufferNow
        samples.append(MemorySample(time: time, residentBytes: rss, bufferBytes: buffer))
        if let buffer { bufferHighWater = max(bufferHighWater ?? 0, buffer) }
        lock.unlock()
    }

    private var isRunning: Bool {
        lock.lock(); defer { lock.unlock() }
        return running
    }
}
