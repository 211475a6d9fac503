import Foundation

/// The machine and the link a run was measured on.
public struct SystemInfo: Sendable, Codable, Hashable {
    public var cores: Int
    public var memoryBytes: Int
    public var operatingSystem: String
    public var duckdbVersion: String?
    /// DuckDB settings that matter for loading (threads, memory_limit, preserve_insertion_order...).
    public var duckdbSettings: [Setting]
    /// Round-trip time of a small request to the workspace.
    public var roundTripSeconds: Double?
    /// Download bandwidth measured on the first chunks (see ``PhaseProfile/bandwidth(firstDownloads:)``).
    public var bandwidthBytesPerSecond: Double?

    /// A name/value pair (an array, not a dictionary, so order is kept and JSON keys stay verbatim).
    public struct Setting: Sendable, Codable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) { self.name = name; self.value = value }
    }

    public init(cores: Int, memoryBytes: Int, operatingSystem: String, duckdbVersion: String? = nil,
                duckdbSettings: [Setting] = [], roundTripSeconds: Double? = nil, bandwidthBytesPerSecond: Double? = nil) {
        self.cores = cores; self.memoryBytes = memoryBytes; self.operatingSystem = operatingSystem
        self.duckdbVersion = duckdbVersion; self.duckdbSettings = duckdbSettings
        self.roundTripSeconds = roundTripSeconds; self.bandwidthBytesPerSecond = bandwidthBytesPerSecond
    }

    /// This machine's cores, memory and OS, plus what the caller measured.
    public static func current(duckdbVersion: String? = nil, duckdbSettings: [Setting] = [],
                               roundTripSeconds: Double? = nil, bandwidthBytesPerSecond: Double? = nil) -> SystemInfo {
        let info = ProcessInfo.processInfo
        return SystemInfo(cores: info.activeProcessorCount, memoryBytes: MemoryProbe.physicalMemoryBytes,
                          operatingSystem: info.operatingSystemVersionString, duckdbVersion: duckdbVersion,
                          duckdbSettings: duckdbSettings, roundTripSeconds: roundTripSeconds,
                          bandwidthBytesPerSecond: bandwidthBytesPerSecond)
    }

    /// The value of a DuckDB setting, if recorded.
    public func duckdbSetting(_ name: String) -> String? { duckdbSettings.first { $0.name == name }?.value }
}

extension PhaseProfile {
    /// Download bandwidth over the first `n` download spans: their bytes over the union of their
    /// times (so parallel links add up). Nil when there were no downloads with bytes.
    public static func bandwidth(of events: [RecordedEvent], firstDownloads n: Int = 4) -> Double? {
        let first = events.filter { $0.phase == .download && $0.duration > 0 }.sorted { $0.start < $1.start }.prefix(n)
        let bytes = first.reduce(0) { $0 + $1.bytes }
        let time = IntervalUnion(first.map { IntervalUnion.Span(start: $0.start, end: $0.end) }).length
        return bytes > 0 && time > 0 ? Double(bytes) / time : nil
    }
}
