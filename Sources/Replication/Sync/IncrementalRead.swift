import DuckDB

/// The warehouse reads of an incremental run, as plans the loader runs like any other table: the
/// changed rows (or the change feed's entries) land in the staging table through the table's
/// strategy; for delete detection without a feed, the key columns of the whole table follow.
enum IncrementalRead {
    /// The change feed's columns, after the table's own.
    static let changeType = "_change_type", commitVersion = "_commit_version", commitTimestamp = "_commit_timestamp"

    /// The plan whose load fills the staging table with what changed in `table`'s window.
    static func changes(of table: PlannedTable) -> PlannedTable {
        var read = table
        let sync = table.sync
        switch sync.mode {
        case .cdf:
            let from = (sync.previous?.version ?? -1) + 1
            let to = table.version ?? from
            read.columns += [
                PlannedColumn(name: changeType, sourceType: "string", targetType: "VARCHAR", nullable: true),
                PlannedColumn(name: commitVersion, sourceType: "bigint", targetType: "BIGINT", nullable: true),
                PlannedColumn(name: commitTimestamp, sourceType: "timestamp", targetType: "TIMESTAMPTZ", nullable: true),
            ]
            let projection = read.columns.map { TableName.quoteBackticks($0.name) }.joined(separator: ", ")
            read.query = "SELECT \(projection) FROM table_changes(\(databricksString(table.sourceName.quoted)), \(from), \(to))"
                + " WHERE \(changeType) <> 'update_preimage'"
        case .append, .merge:
            var conditions: [String] = []
            if let filter = table.filter { conditions.append("(\(filter))") }
            if let cursor = sync.cursor, let column = table.columns.first(where: { $0.name == cursor }),
               let bookmark = sync.previous?.bookmark {
                conditions.append("\(TableName.quoteBackticks(cursor)) >= CAST(\(databricksString(bookmark)) AS \(column.sourceType.uppercased()))")
            }
            read.query = pinnedSelect(table, columns: table.columns.map(\.name), conditions: conditions)
        case .full, .auto:
            break
        }
        return read
    }

    /// The key columns of every row at the pinned version (merge's delete detection).
    static func keys(of table: PlannedTable) -> PlannedTable {
        var read = table
        read.columns = table.sync.primaryKey.compactMap { key in table.columns.first { $0.name == key } }
        read.query = pinnedSelect(table, columns: table.sync.primaryKey, conditions: table.filter.map { ["(\($0))"] } ?? [])
        return read
    }

    private static func pinnedSelect(_ table: PlannedTable, columns: [String], conditions: [String]) -> String {
        var sql = "SELECT \(columns.map(TableName.quoteBackticks).joined(separator: ", ")) FROM \(table.sourceName.quoted)"
        if let version = table.version { sql += " VERSION AS OF \(version)" }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        return sql
    }

    /// A Databricks SQL string literal.
    static func databricksString(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// DuckDB SQL for the text of the largest cursor value in `relation`, in a form both DuckDB and
    /// Databricks cast back to the same value (instants in UTC with a `Z`).
    static func bookmarkSQL(cursor: PlannedColumn, relation: String) -> String {
        let column = quoteIdentifier(cursor.name)
        if cursor.targetType.uppercased() == "TIMESTAMPTZ" {
            return "SELECT strftime(max(\(column)) AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') || 'Z' FROM \(relation)"
        }
        return "SELECT CAST(max(\(column)) AS VARCHAR) FROM \(relation)"
    }
}
