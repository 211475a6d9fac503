import DuckDB

/// A large window rewrites the copy instead of changing it in place: DuckDB keeps per-row undo
/// information for every row a transaction deletes, pinned in memory, so deleting millions of rows
/// (a window that replaces most of the copy) fails under a small `memory_limit`. A rewrite only
/// scans, joins (which spill to the temporary directory) and appends, like a full copy.
extension ChangeApplier {
    /// Windows below this many rows always change the copy in place (cheap, whatever the copy's size).
    static let smallWindowRows: Int64 = 10_000

    /// Whether a window of `rows` rows rewrites the copy: it is not small and replaces at least a
    /// quarter of the copy. Soft deletes keep their rows, so they always change in place.
    func rewrites(windowRows rows: Int64) throws -> Bool {
        guard !softDeletes, rows >= Self.smallWindowRows else { return false }
        let copyRows = try count("SELECT count(*) FROM \(target)")
        return rows * 4 >= copyRows
    }

    /// Rewrites the copy as its rows that `upserts` does not replace, that are not in `removed` and,
    /// when given, whose key is in `kept` (the source's key set), followed by `upserts`; then swaps it
    /// in like a full copy. Deletes apply only as the policy says (`ignore` keeps every row).
    func rewrite(table: PlannedTable, upserts: String, removed: String?, kept: String?) throws -> ChangeCounts {
        var plan = table
        plan.checkpointEvery = .off   // a per-run name, never a resumable copy's
        let fresh = StagingTable(plan: plan, runID: "r" + staging.runID, catalog: staging.catalog)
        let before = try count("SELECT count(*) FROM \(target)")
        let updated = try count("SELECT count(*) FROM \(upserts) s WHERE EXISTS (SELECT 1 FROM \(target) t WHERE \(match("t", "s")))")
        var conditions = ["NOT EXISTS (SELECT 1 FROM \(upserts) s WHERE \(match("t", "s")))"]
        if sync.deletes != .ignore {
            if let removed { conditions.append("NOT EXISTS (SELECT 1 FROM \(removed) s WHERE \(match("t", "s")))") }
            if let kept { conditions.append("EXISTS (SELECT 1 FROM \(kept) s WHERE \(match("t", "s")))") }
        }
        try connection.execute(fresh.createSQL)
        let keptRows = Int64(try connection.query("""
            INSERT INTO \(fresh.qualified) (\(columnList)) SELECT \(columnList) FROM \(target) t WHERE \(conditions.joined(separator: " AND "))
            """).rowsChanged)
        let written = Int64(try connection.query("INSERT INTO \(fresh.qualified) (\(columnList)) SELECT \(columnList) FROM \(upserts)").rowsChanged)
        for statement in fresh.swapSQL { try connection.execute(statement) }
        return ChangeCounts(inserted: written - updated, updated: updated, deleted: before - updated - keptRows)
    }
}
