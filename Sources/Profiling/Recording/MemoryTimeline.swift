/// One reading of the process's memory.
public struct MemorySample: Sendable, Codable, Hashable {
    /// Seconds from the recording's origin.
    public var time: Double
    public var residentBytes: Int
    /// The download buffer's fill at that moment, when a probe was given.
    public var bufferBytes: Int?

    public init(time: Double, residentBytes: Int, bufferBytes: Int? = nil) {
        self.time = time; self.residentBytes = residentBytes; self.bufferBytes = bufferBytes
    }
}

/// Memory over a run: the samples, the peak and the download buffer's high-water mark.
public struct MemoryTimeline: Sendable, Codable, Hashable {
    public var samples: [MemorySample]
    /// RSS when sampling started.
    public var baselineResidentBytes: Int
    /// Highest RSS seen: the larger of the sampled maximum and the kernel's high-water mark (when
    /// it could be reset at the start, so it belongs to this run).
    public var peakResidentBytes: Int
    /// Highest download-buffer fill seen or reported, if anything reported it.
    public var bufferHighWaterBytes: Int?
    public var intervalSeconds: Double

    public init(samples: [MemorySample], baselineResidentBytes: Int, peakResidentBytes: Int,
                bufferHighWaterBytes: Int? = nil, intervalSeconds: Double) {
        self.samples = samples; self.baselineResidentBytes = baselineResidentBytes
        self.peakResidentBytes = peakResidentBytes; self.bufferHighWaterBytes = bufferHighWaterBytes
        self.intervalSeconds = intervalSeconds
    }

    /// Peak above the baseline: what the run itself added.
    public var peakGrowthBytes: Int { max(0, peakResidentBytes - baselineResidentBytes) }
}
