/// Receives a run's progress; the CLI shows it, tests may ignore it.
public protocol ReplicationProgress: Sendable {
    func started(_ table: PlannedTable)
    func advanced(_ table: PlannedTable, rows: Int64, bytes: Int64)
    func finished(_ table: PlannedTable, _ outcome: ReplicationSummary.TableOutcome)
    /// The table's query waits on the warehouse: `state` is PENDING (not started yet) or RUNNING.
    func waiting(_ table: PlannedTable, state: String, elapsed: Duration)
    /// The table's rows flow and it waits for chunk `chunk` (1-based) of `total`.
    func awaiting(_ table: PlannedTable, chunk: Int, of total: Int)
}

extension ReplicationProgress {
    public func waiting(_ table: PlannedTable, state: String, elapsed: Duration) {}
    public func awaiting(_ table: PlannedTable, chunk: Int, of total: Int) {}
}
