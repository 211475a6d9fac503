/// Receives a run's progress; the CLI shows it, tests may ignore it.
public protocol ReplicationProgress: Sendable {
    func started(_ table: PlannedTable)
    func advanced(_ table: PlannedTable, rows: Int64, bytes: Int64)
    func finished(_ table: PlannedTable, _ outcome: ReplicationSummary.TableOutcome)
}
