import DuckDB

/// An order-independent fingerprint per column, computed by the warehouse on the source (at the
/// pinned version) and by DuckDB on the loaded table: the count of non-null values and the XOR of a
/// 60-bit hash (the first 15 hex digits of MD5) of a canonical text both engines spell alike.
///
/// Columns without a canonical text both sides agree on (FLOAT/DOUBLE formatting, TIMESTAMP_NTZ,
/// nested types, VARIANT) are compared by count only, and the report says so.
public enum ColumnChecksum {
    /// The canonical text of a column, as (Databricks SQL, DuckDB SQL), or nil when none is shared.
    static func canonicalText(_ column: PlannedColumn) -> (databricks: String, duckdb: String)? {
        let source = TableName.quoteBackticks(column.name), target = quoteIdentifier(column.name)
        guard let type = column.databricksType else { return nil }
        switch type {
        case .boolean, .tinyint, .smallint, .int, .bigint, .decimal, .date:
            return ("CAST(\(source) AS STRING)", "CAST(\(target) AS VARCHAR)")
        case .string:
            return (source, target)
        case .binary:
            return ("hex(\(source))", "hex(\(target))")
        case .timestamp:
            return ("CAST(unix_micros(\(source)) AS STRING)", "CAST(epoch_us(\(target)) AS VARCHAR)")
        default:
            return nil
        }
    }

    /// `SELECT count(c1), bit_xor(h(c1)), …` for the warehouse, pinned and filtered like the copy.
    static func databricksSQL(_ table: PlannedTable) -> String {
        let parts = table.columns.map { column -> String in
            let count = "count(\(TableName.quoteBackticks(column.name)))"
            guard let text = canonicalText(column) else { return "\(count), NULL" }
            return "\(count), bit_xor(CAST(conv(substr(md5(\(text.databricks)), 1, 15), 16, 10) AS BIGINT))"
        }
        var sql = "SELECT \(parts.joined(separator: ", ")) FROM \(table.sourceName.quoted)"
        if let version = table.version { sql += " VERSION AS OF \(version)" }
        if let filter = table.filter { sql += " WHERE \(filter)" }
        return sql
    }

    /// The same fingerprint in DuckDB over `relation` (the staging table).
    static func duckDBSQL(_ table: PlannedTable, relation: String) -> String {
        let parts = table.columns.map { column -> String in
            let count = "count(\(quoteIdentifier(column.name)))"
            guard let text = canonicalText(column) else { return "\(count), NULL" }
            return "\(count), bit_xor(CAST('0x' || substr(md5(\(text.duckdb)), 1, 15) AS BIGINT))"
        }
        return "SELECT \(parts.joined(separator: ", ")) FROM \(relation)"
    }

    /// The first column whose fingerprint differs, with both sides' values; nil when all agree.
    static func firstDifference(_ table: PlannedTable, warehouse: [String?], duckdb: [String?]) -> String? {
        for (i, column) in table.columns.enumerated() {
            let a = (warehouse[safe: 2 * i] ?? nil, warehouse[safe: 2 * i + 1] ?? nil)
            let b = (duckdb[safe: 2 * i] ?? nil, duckdb[safe: 2 * i + 1] ?? nil)
            if a.0 != b.0 {
                return "column \(column.name): the warehouse has \(a.0 ?? "?") non-null values, DuckDB \(b.0 ?? "?")"
            }
            if a.1 != b.1 {
                return "column \(column.name): checksums differ (warehouse \(a.1 ?? "NULL"), DuckDB \(b.1 ?? "NULL"))"
            }
        }
        return nil
    }

    /// Columns compared by count only.
    static func countOnlyColumns(_ table: PlannedTable) -> [String] {
        table.columns.filter { canonicalText($0) == nil }.map(\.name)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
