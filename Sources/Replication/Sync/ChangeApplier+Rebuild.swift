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
        // One join per statement: two hash tables built side by side do not fit a small limit.
        var survivors = upserts
        let kept = sync.deletes == .ignore ? nil : kept
        let removed = sync.deletes == .ignore ? nil : removed
        let keyList = sync.primaryKey.map(quoteIdentifier).joined(separator: ", ")
        let left = quoteIdentifier("_dbduck_left_\(staging.runID.prefix(8))")
        defer { try? connection.execute("DROP TABLE IF EXISTS temp.\(left)") }
        if let kept {
            // The source's keys the window does not replace: the copy's rows to keep.
            try connection.execute("""
                CREATE TEMP TABLE \(left) AS SELECT \(keyList) FROM \(kept) k
                WHERE NOT EXISTS (SELECT 1 FROM \(upserts) s WHERE \(match("k", "s")))
                """)
            survivors = "temp.\(left)"
        }
        var condition = kept == nil
            ? "NOT EXISTS (SELECT 1 FROM \(upserts) s WHERE \(match("t", "s")))"
            : "EXISTS (SELECT 1 FROM \(survivors) s WHERE \(match("t", "s")))"
        if let removed { condition += " AND NOT EXISTS (SELECT 1 FROM \(removed) s WHERE \(match("t", "s")))" }
        try connection.execute(fresh.createSQL)
        let keptRows = Int64(try connection.query("""
            INSERT INTO \(fresh.qualified) (\(columnList)) SELECT \(columnList) FROM \(target) t WHERE \(condition)
            """).rowsChanged)
        let written = Int64(try connection.query("INSERT INTO \(fresh.qualified) (\(columnList)) SELECT \(columnList) FROM \(upserts)").rowsChanged)
        for statement in fresh.swapSQL { try connection.execute(statement) }
        return ChangeCounts(inserted: written - updated, updated: updated, deleted: before - updated - keptRows)
    }
}
