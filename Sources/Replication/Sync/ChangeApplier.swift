import DuckDB
import Foundation

/// What an apply did to the copy.
public struct ChangeCounts: Sendable, Equatable, Codable {
    public var inserted: Int64 = 0
    public var updated: Int64 = 0
    public var deleted: Int64 = 0
    public init(inserted: Int64 = 0, updated: Int64 = 0, deleted: Int64 = 0) {
        self.inserted = inserted; self.updated = updated; self.deleted = deleted
    }
}

/// Applies a staged window of changes to the copy, inside the load's transaction: upserts by key,
/// deletes by policy, appends past the bookmark. Every statement names its columns, so a copy whose
/// columns were added over time (in another order) takes the rows as well as a fresh one.
struct ChangeApplier {
    let connection: Connection
    let staging: StagingTable
    let sync: SyncPlan
    /// The table's own columns (without the change feed's).
    let columns: [PlannedColumn]

    var target: String { staging.target }
    var columnList: String { columns.map { quoteIdentifier($0.name) }.joined(separator: ", ") }
    var softDeletes: Bool { sync.deletes == .soft }
    private var deletedAt: String { quoteIdentifier(DeletePolicy.deletedAtColumn) }

    func match(_ a: String, _ b: String) -> String {
        sync.primaryKey.map { "\(a).\(quoteIdentifier($0)) = \(b).\(quoteIdentifier($0))" }.joined(separator: " AND ")
    }

    func count(_ sql: String) throws -> Int64 {
        Int64(try connection.scalar(sql)?.integerValue ?? 0)
    }

    /// Adds columns that appeared upstream since the last run.
    func addColumns(_ names: [String]) throws {
        for name in names {
            guard let column = columns.first(where: { $0.name.lowercased() == name.lowercased() }) else { continue }
            try connection.execute("ALTER TABLE \(target) ADD COLUMN \(quoteIdentifier(column.name)) \(column.targetType)")
        }
    }

    /// Fails when `relation` holds a key more than once, naming one duplicate value when DuckDB can.
    /// The check compares two counts: a DISTINCT spills to disk, while a GROUP BY with a count per
    /// key runs a window of millions of rows out of a small memory_limit.
    func checkKeyIsUnique(in relation: String, source: String) throws {
        let keys = sync.primaryKey.map(quoteIdentifier).joined(separator: ", ")
        let rows = try count("SELECT count(*) FROM \(relation)")
        let distinct = try count("SELECT count(*) FROM (SELECT DISTINCT \(keys) FROM \(relation))")
        guard distinct != rows else { return }
        let what = "the key (\(sync.primaryKey.joined(separator: ", "))) is not unique in \(source)"
        let fix = "Choose a unique key with `primary_key:`."
        let texts = sync.primaryKey.map { "CAST(\(quoteIdentifier($0)) AS VARCHAR)" }.joined(separator: ", ")
        guard let row = try? connection.query("""
            SELECT \(texts), CAST(count(*) AS VARCHAR) FROM \(relation) GROUP BY \(keys) HAVING count(*) > 1 LIMIT 1
            """).rows().first else {
            throw LoadError.duplicateKey("\(what): \(rows - distinct) rows repeat a key. \(fix)")
        }
        let value = zip(sync.primaryKey, row).map { "\($0) = \($1.stringValue ?? "NULL")" }.joined(separator: ", ")
        throw LoadError.duplicateKey("\(what): \(value) appears \(row.last?.stringValue ?? "more than once") times. \(fix)")
    }

    /// Upserts every staged row by key: rows whose key the copy holds are replaced.
    func upsert(from relation: String) throws -> ChangeCounts {
        let replace = "DELETE FROM \(target) t USING \(relation) s WHERE \(match("t", "s"))"
        let updated: Int64
        if softDeletes {
            // A row soft-deleted earlier and back now counts as inserted: the live rows grow by one.
            updated = try count("SELECT count(*) FROM \(relation) s WHERE EXISTS (SELECT 1 FROM \(target) t WHERE \(match("t", "s")) AND t.\(deletedAt) IS NULL)")
            try connection.execute(replace)
        } else {
            // Each key is in the copy once (checked at the source before the first copy, and every
            // window's keys are unique), so the rows the DELETE replaces are the updated ones:
            // counting them apart would scan the whole copy once more.
            updated = Int64(try connection.query(replace).rowsChanged)
        }
        let insert = softDeletes
            ? "INSERT INTO \(target) (\(columnList), \(deletedAt)) SELECT \(columnList), NULL FROM \(relation)"
            : "INSERT INTO \(target) (\(columnList)) SELECT \(columnList) FROM \(relation)"
        let written = Int64(try connection.query(insert).rowsChanged)
        return ChangeCounts(inserted: written - updated, updated: updated)
    }

    /// Deletes (or marks) the copy's rows whose key is in `relation`; `at` is the deletion time's SQL.
    func delete(keysIn relation: String, at: String) throws -> Int64 {
        switch sync.deletes {
        case .ignore: return 0
        case .hard:
            return Int64(try connection.query("DELETE FROM \(target) t USING \(relation) s WHERE \(match("t", "s"))").rowsChanged)
        case .soft:
            return Int64(try connection.query("""
                UPDATE \(target) t SET \(deletedAt) = \(at) FROM \(relation) s WHERE \(match("t", "s")) AND t.\(deletedAt) IS NULL
                """).rowsChanged)
        }
    }

    /// The copy's keys that are not among the source's keys in `relation` (deleted upstream), as a
    /// temporary table; nil when deletes are ignored. Run it before the copy changes in this
    /// transaction: an anti-join over a copy that already holds deletes of its own cannot spill
    /// and runs out of DuckDB's memory limit on a large table.
    func keysMissing(from relation: String) throws -> String? {
        guard sync.deletes != .ignore else { return nil }
        let name = quoteIdentifier("_dbduck_gone_\(staging.runID.prefix(8))")
        let keys = sync.primaryKey.map { "t.\(quoteIdentifier($0))" }.joined(separator: ", ")
        let live = softDeletes ? " AND t.\(deletedAt) IS NULL" : ""
        try connection.execute("""
            CREATE OR REPLACE TEMP TABLE \(name) AS
            SELECT \(keys) FROM \(target) t WHERE NOT EXISTS (SELECT 1 FROM \(relation) s WHERE \(match("t", "s")))\(live)
            """)
        return "temp.main.\(name)"
    }

    /// `cdf`: collapses the staged feed to each key's last change by commit version, then applies it
    /// in place, or by rewriting the copy when the window is large.
    func applyChangeFeed(table: PlannedTable) throws -> ChangeCounts {
        let keys = sync.primaryKey.map(quoteIdentifier).joined(separator: ", ")
        let type = quoteIdentifier(IncrementalRead.changeType), version = quoteIdentifier(IncrementalRead.commitVersion)
        let rows = try count("SELECT count(*) FROM \(staging.qualified)")
        var feed = staging.qualified
        let last = quoteIdentifier("_dbduck_last_\(staging.runID.prefix(8))")
        defer { try? connection.execute("DROP TABLE IF EXISTS temp.\(last)") }
        // A window whose keys each change once needs no collapsing (the window function would hold
        // the whole window in memory).
        if try count("SELECT count(*) FROM (SELECT DISTINCT \(keys) FROM \(staging.qualified))") != rows {
            // Within one version a key's post-image wins over its delete (a row deleted and re-inserted).
            try connection.execute("""
                CREATE TEMP TABLE \(last) AS SELECT * FROM \(staging.qualified)
                QUALIFY row_number() OVER (PARTITION BY \(keys) ORDER BY \(version) DESC, (\(type) = 'delete') ASC) = 1
                """)
            feed = "temp.\(last)"
        }
        let upserts = "(SELECT * FROM \(feed) WHERE \(type) <> 'delete')"
        let deletes = "(SELECT * FROM \(feed) WHERE \(type) = 'delete')"
        if try rewrites(windowRows: rows) {
            return try rewrite(table: table, upserts: upserts, removed: deletes, kept: nil)
        }
        var counts = try upsert(from: upserts)
        counts.deleted = try delete(keysIn: deletes, at: "s.\(quoteIdentifier(IncrementalRead.commitTimestamp))")
        return counts
    }

    /// `append`: staged rows past the bookmark, and those at it that the copy does not hold yet.
    func append(cursor: PlannedColumn, bookmark: String?) throws -> ChangeCounts {
        guard let bookmark else {
            return ChangeCounts(inserted: Int64(try connection.query("INSERT INTO \(target) (\(columnList)) SELECT \(columnList) FROM \(staging.qualified)").rowsChanged))
        }
        let c = quoteIdentifier(cursor.name), b = "CAST(\(quoteLiteral(bookmark)) AS \(cursor.targetType))"
        let inserted = try connection.query("""
            INSERT INTO \(target) (\(columnList))
            SELECT \(columnList) FROM \(staging.qualified) WHERE \(c) > \(b)
            UNION ALL
            (SELECT \(columnList) FROM \(staging.qualified) WHERE \(c) = \(b)
             EXCEPT ALL SELECT \(columnList) FROM \(target) WHERE \(c) = \(b))
            """).rowsChanged
        return ChangeCounts(inserted: Int64(inserted))
    }
}
