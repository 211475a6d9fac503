import DuckDB

/// Which tables of the target dbduck may replace. dbduck owns a table when `_dbduck.runs` records a
/// committed copy into that name, or `_dbduck.state` keeps its sync state: both are written in the
/// transaction that creates the table. Any other table or view of that name was made by someone
/// else, and a run refuses to drop it unless `target.replace_unmanaged` (or `--replace-unmanaged`)
/// says it may.
public struct TargetOwnership: Sendable, Equatable {
    /// Lower-cased `schema.table` of every table and view the file holds.
    public var existing: Set<String> = []
    /// Lower-cased `schema.table` of the tables dbduck created.
    public var owned: Set<String> = []

    public init(existing: Set<String> = [], owned: Set<String> = []) {
        self.existing = existing; self.owned = owned
    }

    /// What the target holds, read through a read-only connection (``TargetSnapshot``).
    static func read(_ connection: Connection, catalog: String) throws -> TargetOwnership {
        let inCatalog = "database_name = \(quoteLiteral(catalog))"
        let objects = try connection.query("""
            SELECT schema_name, table_name FROM duckdb_tables() WHERE \(inCatalog)
            UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE \(inCatalog) AND NOT internal
            """).rows()
        var ownership = TargetOwnership()
        var records = Set<String>()
        for row in objects {
            guard row.count == 2, let schema = row[0].stringValue, let table = row[1].stringValue else { continue }
            if schema == RunRecords.schema { records.insert(table); continue }
            ownership.existing.insert("\(schema).\(table)".lowercased())
        }
        if records.contains(RunRecords.table) {
            let rows = try connection.query("""
                SELECT DISTINCT lower(target_table) FROM \(RunRecords.qualified(catalog)) WHERE status = 'succeeded'
                """).rows()
            ownership.owned.formUnion(rows.compactMap { $0.first?.stringValue })
        }
        if records.contains(SyncStateStore.table) {
            let rows = try connection.query("SELECT lower(target_table) FROM \(SyncStateStore.qualified(catalog))").rows()
            ownership.owned.formUnion(rows.compactMap { $0.first?.stringValue })
        }
        return ownership
    }

    /// True when a copy into `target` (`schema.table`) would drop something dbduck did not create.
    public func isUnmanaged(_ target: String) -> Bool {
        let key = target.lowercased()
        return existing.contains(key) && !owned.contains(key)
    }

    /// Moves every planned table whose target dbduck does not own out of the plan, into its refused
    /// tables (each fails alone; the others are copied), unless the plan's settings allow replacing them.
    public func refuseUnmanaged(in plan: inout ReplicationPlan) {
        guard !plan.settings.target.replacesUnmanaged else { return }
        var kept: [PlannedTable] = []
        for table in plan.tables {
            guard isUnmanaged(table.target) else { kept.append(table); continue }
            plan.unavailable.append(UnavailableTable(source: table.source, target: table.target,
                                                     reason: Self.refusal(table.target, path: plan.targetPath)))
        }
        plan.tables = kept
    }

    static func refusal(_ target: String, path: String) -> String {
        "\(target) already exists in \(path) and dbduck did not create it, so it is left as it is. "
            + "To replace it, set `target: { replace_unmanaged: true }` in dbduck.yml or pass --replace-unmanaged; "
            + "to keep it, give this table another `target:`."
    }
}
