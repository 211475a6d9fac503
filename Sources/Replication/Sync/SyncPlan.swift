/// How one table follows its source this run, decided by the planner before any row moves.
public struct SyncPlan: Sendable, Equatable, Codable {
    /// `full`, `append`, `merge` or `cdf` (never `auto`: resolved here).
    public var mode: SyncMode
    /// Why this mode (shown by `dbduck plan`).
    public var reason: String
    public var primaryKey: [String]
    public var cursor: String?
    public var deletes: DeletePolicy
    /// Where the copy stands (nil: never synced in this mode, or a full refresh).
    public var previous: SyncState?
    /// Why this run copies the whole table although the mode is incremental (first run, full
    /// refresh, re-created table, incompatible schema change); nil when it moves only changes.
    public var fullCopyReason: String?
    /// Columns added upstream since the last run; the copy gains them before the changes apply.
    public var addedColumns: [String]
    /// Copy in full when the window cannot be served (the default), or fail the table.
    public var allowFallback: Bool
    /// The Delta table id at planning time, recorded in the state.
    public var tableID: String?

    public init(mode: SyncMode, reason: String, primaryKey: [String] = [], cursor: String? = nil, deletes: DeletePolicy = .hard,
                previous: SyncState? = nil, fullCopyReason: String? = nil, addedColumns: [String] = [],
                allowFallback: Bool = true, tableID: String? = nil) {
        self.mode = mode; self.reason = reason; self.primaryKey = primaryKey; self.cursor = cursor; self.deletes = deletes
        self.previous = previous; self.fullCopyReason = fullCopyReason; self.addedColumns = addedColumns
        self.allowFallback = allowFallback; self.tableID = tableID
    }

    /// A plain replace, as before incremental modes existed.
    public static let full = SyncPlan(mode: .full, reason: "mode full")

    /// This run moves only what changed since ``previous``.
    public var isIncremental: Bool { mode != .full && previous != nil && fullCopyReason == nil }
    /// The copy keeps a state row (every mode but `full`).
    public var keepsState: Bool { mode != .full }
}
