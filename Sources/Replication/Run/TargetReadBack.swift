import DuckDB

/// The summary's row counts, read from the target file itself after the run, so what dbduck
/// reports is what the file holds, not what the loader believes it wrote.
public enum TargetReadBack {
    /// One copied table: where it landed and the rows the warehouse has at the pinned version.
    public struct Expectation: Sendable {
        public var schema: String
        public var table: String
        /// nil where the copy's count is not the warehouse's (an append, deletes ignored).
        public var warehouseRows: Int64?
        public var version: Int64?
        /// Count only the live rows (soft deletes keep deleted rows, marked).
        public var liveOnly = false

        public init(schema: String, table: String, warehouseRows: Int64?, version: Int64?, liveOnly: Bool = false) {
            self.schema = schema; self.table = table; self.warehouseRows = warehouseRows; self.version = version
            self.liveOnly = liveOnly
        }
    }

    /// Replaces each succeeded table's row count with a `count(*)` of the target; a table the file
    /// does not hold, or holds with other than the warehouse's row count, becomes a failure.
    /// `expectations` are in the order of `summary.tables`.
    public static func verify(_ summary: ReplicationSummary, expectations: [Expectation],
                              settings: TargetSettings) -> ReplicationSummary {
        var summary = summary
        guard summary.tables.contains(where: { $0.status == "succeeded" }) else { return summary }
        let connection: Connection
        do {
            connection = try Database(path: summary.targetPath, configuration: settings.databaseConfiguration).connect()
        } catch {
            for i in summary.tables.indices where summary.tables[i].status == "succeeded" {
                fail(&summary.tables[i], "copied, but \(summary.targetPath) could not be opened to read it back: \(error.message)")
            }
            return summary
        }
        // Fully qualified: a file named like a schema (tpch.duckdb holding schema tpch) makes `tpch.t` ambiguous.
        let catalog = (try? connection.scalar("SELECT current_database()")?.stringValue) ?? nil
        let prefix = catalog.map { quoteIdentifier($0) + "." } ?? ""
        for (i, expected) in zip(summary.tables.indices, expectations) where summary.tables[i].status == "succeeded" {
            let live = expected.liveOnly ? " WHERE \(quoteIdentifier(DeletePolicy.deletedAtColumn)) IS NULL" : ""
            let sql = "SELECT count(*) FROM \(prefix)\(quoteIdentifier(expected.schema)).\(quoteIdentifier(expected.table))\(live)"
            do {
                let rows = try connection.scalar(sql)?.integerValue.map(Int64.init) ?? -1
                summary.tables[i].rows = max(rows, 0)
                if let warehouseRows = expected.warehouseRows, rows != warehouseRows {
                    let version = expected.version.map { " at version \($0)" } ?? ""
                    fail(&summary.tables[i], "the target holds \(max(rows, 0)) rows where the warehouse has \(warehouseRows)\(version)")
                }
            } catch {
                summary.tables[i].rows = 0
                fail(&summary.tables[i], "copied, but reading it back from \(summary.targetPath) failed: \(error.message)")
            }
        }
        return summary
    }

    private static func fail(_ outcome: inout ReplicationSummary.TableOutcome, _ message: String) {
        outcome.status = "failed"
        outcome.error = message
        outcome.previousCopyKept = false
    }
}
