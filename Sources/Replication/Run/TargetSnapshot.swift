/// What planning reads from an existing target, in one read-only open of the file (opening a large
/// file reads its catalog, so once is enough): where each table's sync stands, interrupted copies a
/// run can continue, and which existing tables dbduck may replace.
public struct TargetSnapshot: Sendable {
    public var states: [String: SyncState] = [:]
    public var progress: [String: CopyProgress] = [:]
    public var ownership = TargetOwnership()

    public init() {}

    /// The snapshot of the file at `path`; empty when there is no file yet, which is never created.
    public static func read(path: String) throws -> TargetSnapshot {
        var snapshot = TargetSnapshot()
        guard let (connection, catalog) = try TargetDatabase.openExistingReadOnly(path: path) else { return snapshot }
        snapshot.states = try SyncStateStore.read(connection, catalog: catalog)
        snapshot.progress = try ProgressStore.read(connection, catalog: catalog)
        snapshot.ownership = try TargetOwnership.read(connection, catalog: catalog)
        return snapshot
    }
}
