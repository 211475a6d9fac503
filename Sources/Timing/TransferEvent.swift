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
