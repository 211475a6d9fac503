import Timing

/// Where one table's (or the whole run's) wall time went, phase by phase.
///
/// Built from recorded events. Phase times are unions of intervals, so eight parallel downloads
/// over the same second count one second of download; phases that run at the same time are
/// reported as overlapping (``overlaps``), and shares use the exclusive attribution of
/// ``PhaseStats/exclusiveSeconds``, so shares plus ``idleShare`` add up to 100%.
///
/// ```swift
/// let run = PhaseProfile(events: recorder.events())                 // all tables together
/// let perTable = PhaseProfile.perTable(recorder.events())
/// print(run[.download]?.share ?? 0, run.rowsPerSecond)
/// ```
public struct PhaseProfile: Sendable, Codable, Hashable {
    /// The table, or nil for a profile over all events.
    public var table: String?
    /// Seconds from the origin to the first span's start and to the last span's end.
    public var start: Double
    public var end: Double
    /// Time some phase was active.
    public var busySeconds: Double
    /// Time between ``start`` and ``end`` when no phase was active.
    public var idleSeconds: Double
    /// Phases that occurred, in pipeline order (``TransferPhase`` order).
    public var phases: [PhaseStats]
    /// Pairs of phases that ran at the same time, longest first.
    public var overlaps: [PhaseOverlap]
    /// Rows moved: loaded rows when load spans exist, else decoded rows, else the largest phase count.
    public var rows: Int
    /// Bytes moved: downloaded bytes when download spans exist, else the largest phase count.
    public var bytes: Int
    public var throughput: [ThroughputBucket]
    /// Distinct details of retry spans (e.g. "HTTP 503 from storage"), most frequent first.
    public var retryCauses: [RetryCause]

    /// How often one retry detail occurred.
    public struct RetryCause: Sendable, Codable, Hashable {
        public var detail: String
        public var count: Int
        public init(detail: String, count: Int) { self.detail = detail; self.count = count }
    }

    /// Wall time from the first span's start to the last span's end.
    public var elapsedSeconds: Double { end - start }
    public var idleShare: Double { elapsedSeconds > 0 ? idleSeconds / elapsedSeconds : 0 }
    public var rowsPerSecond: Double { elapsedSeconds > 0 ? Double(rows) / elapsedSeconds : 0 }
    public var bytesPerSecond: Double { elapsedSeconds > 0 ? Double(bytes) / elapsedSeconds : 0 }

    public subscript(phase: TransferPhase) -> PhaseStats? { phases.first { $0.phase == phase } }

    /// Phases by share, largest first.
    public var phasesByShare: [PhaseStats] { phases.sorted { $0.share > $1.share } }

    public init(table: String?, start: Double, end: Double, busySeconds: Double, idleSeconds: Double,
                phases: [PhaseStats], overlaps: [PhaseOverlap], rows: Int, bytes: Int,
                throughput: [ThroughputBucket], retryCauses: [RetryCause] = []) {
        self.table = table; self.start = start; self.end = end; self.busySeconds = busySeconds
        self.idleSeconds = idleSeconds; self.phases = phases; self.overlaps = overlaps
        self.rows = rows; self.bytes = bytes; self.throughput = throughput
        self.retryCauses = retryCauses
    }
}

extension PhaseProfile {
    /// What the run asked of the workspace, each a round trip: warehouse statements, other API
    /// requests (status polls, Unity Catalog, links, tokens) and storage downloads.
    public var roundTrips: (statements: Int, requests: Int, downloads: Int) {
        func count(_ phase: TransferPhase) -> Int { phases.first { $0.phase == phase }?.events ?? 0 }
        return (count(.warehouseWait), count(.request), count(.download))
    }

    /// ``roundTrips`` in words, with the cost of one table when there are several.
    public func roundTripSummary(tables: Int) -> String {
        let (statements, requests, downloads) = roundTrips
        var text = "round trips: \(statements) warehouse statements, \(requests) API requests, \(downloads) downloads"
        if tables > 1 {
            let per = { (n: Int) in Units.number(Double(n) / Double(tables)) }
            text += " (per table: \(per(statements)), \(per(requests)), \(per(downloads)))"
        }
        return text
    }
}

