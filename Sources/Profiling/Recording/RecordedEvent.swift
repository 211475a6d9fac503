import Timing

/// A ``TransferEvent`` with its times as seconds from the start of the recording.
///
/// `ContinuousClock.Instant` has no fixed origin and is not `Codable`; recorded profiles are
/// saved, loaded and analyzed as plain numbers.
public struct RecordedEvent: Sendable, Codable, Hashable {
    public var phase: TransferPhase
    public var table: String?
    /// Seconds from the recording's origin to the start of the span.
    public var start: Double
    /// Length of the span in seconds.
    public var duration: Double
    public var bytes: Int
    public var rows: Int
    public var detail: String?

    /// Seconds from the origin to the end of the span.
    public var end: Double { start + duration }

    public init(phase: TransferPhase, table: String? = nil, start: Double, duration: Double,
                bytes: Int = 0, rows: Int = 0, detail: String? = nil) {
        self.phase = phase; self.table = table; self.start = start; self.duration = max(0, duration)
        self.bytes = bytes; self.rows = rows; self.detail = detail
    }

    /// Converts a live event, measuring its start from `origin`.
    public init(_ event: TransferEvent, origin: ContinuousClock.Instant) {
        self.init(phase: event.phase, table: event.table, start: (event.start - origin).seconds,
                  duration: event.duration.seconds, bytes: event.bytes, rows: event.rows, detail: event.detail)
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
