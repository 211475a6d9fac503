import Timing

/// One phase's time, volume and speed within a ``PhaseProfile``.
public struct PhaseStats: Sendable, Codable, Hashable {
    public var phase: TransferPhase
    /// Number of recorded spans.
    public var events: Int
    /// Wall time the phase was active: the union of its spans (overlapping spans count once).
    public var busySeconds: Double
    /// Sum of span durations: larger than ``busySeconds`` when spans ran concurrently.
    public var summedSeconds: Double
    /// Wall time attributed to this phase alone: each moment is split evenly among the phases
    /// active then. Exclusive times of all phases add up to the profile's busy time.
    public var exclusiveSeconds: Double
    /// ``exclusiveSeconds`` over the profile's elapsed time: the phase's share of the run.
    public var share: Double
    public var bytes: Int
    public var rows: Int
    /// The phase's activity as merged spans (gaps below 1/400 of the run closed), for timelines.
    public var spans: [IntervalUnion.Span]

    public init(phase: TransferPhase, events: Int, busySeconds: Double, summedSeconds: Double,
                exclusiveSeconds: Double, share: Double, bytes: Int, rows: Int, spans: [IntervalUnion.Span]) {
        self.phase = phase; self.events = events; self.busySeconds = busySeconds
        self.summedSeconds = summedSeconds; self.exclusiveSeconds = exclusiveSeconds; self.share = share
        self.bytes = bytes; self.rows = rows; self.spans = spans
    }

    /// Average number of spans in flight while the phase was active (e.g. parallel downloads).
    public var concurrency: Double { busySeconds > 0 ? summedSeconds / busySeconds : 0 }
    /// Rows per second of the phase's wall time, when it moved rows.
    public var rowsPerSecond: Double? { busySeconds > 0 && rows > 0 ? Double(rows) / busySeconds : nil }
    /// Bytes per second of the phase's wall time (all concurrent spans together).
    public var bytesPerSecond: Double? { busySeconds > 0 && bytes > 0 ? Double(bytes) / busySeconds : nil }
    /// Bytes per second of one span (e.g. one download link).
    public var bytesPerSecondPerSpan: Double? { summedSeconds > 0 && bytes > 0 ? Double(bytes) / summedSeconds : nil }
}

/// Wall time during which two phases were both active.
public struct PhaseOverlap: Sendable, Codable, Hashable {
    public var first: TransferPhase
    public var second: TransferPhase
    public var seconds: Double
    public init(first: TransferPhase, second: TransferPhase, seconds: Double) {
        self.first = first; self.second = second; self.seconds = seconds
    }
}

/// Bytes downloaded and rows loaded during one slice of the run.
public struct ThroughputBucket: Sendable, Codable, Hashable {
    /// Seconds from the origin.
    public var start: Double
    public var width: Double
    /// Download bytes received in the slice (each span's bytes spread evenly over its duration).
    public var downloadBytes: Double
    /// Rows loaded into DuckDB in the slice (or decoded, when no load spans were recorded).
    public var rows: Double

    public init(start: Double, width: Double, downloadBytes: Double, rows: Double) {
        self.start = start; self.width = width; self.downloadBytes = downloadBytes; self.rows = rows
    }

    public var bytesPerSecond: Double { width > 0 ? downloadBytes / width : 0 }
    public var rowsPerSecond: Double { width > 0 ? rows / width : 0 }
}
