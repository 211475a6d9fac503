internal import CDuckDB

/// The result of a query, read one data chunk at a time with `duckdb_fetch_chunk`.
///
/// ```swift
/// let result = try connection.query("SELECT * FROM t")
/// while let chunk = try result.nextChunk() { for row in 0..<chunk.count { … } }
/// ```
public final class ResultSet {
    private var result: duckdb_result
    /// The SQL that produced this result, for error messages.
    public let sql: String
    /// Column names, in order.
    public let columnNames: [String]
    /// Column types, in order.
    public let columnTypes: [LogicalType]

    init(taking result: duckdb_result, sql: String) {
        var result = result
        let count = duckdb_column_count(&result)
        var names: [String] = [], types: [LogicalType] = []
        for column in 0..<count {
            names.append(duckdb_column_name(&result, column).map { String(cString: $0) } ?? "")
            var raw: duckdb_logical_type? = duckdb_column_logical_type(&result, column)
            types.append(raw.map { LogicalType(raw: $0) } ?? .other(id: 0, name: "INVALID"))
            duckdb_destroy_logical_type(&raw)
        }
        self.result = result
        self.sql = sql
        columnNames = names
        columnTypes = types
    }

    deinit { duckdb_destroy_result(&result) }

    /// Rows changed by an INSERT, UPDATE or DELETE.
    public var rowsChanged: Int { Int(duckdb_rows_changed(&result)) }

    /// The next chunk, or nil at the end of the result.
    /// - Throws: ``DatabaseError`` when execution fails while streaming (e.g. an interruption).
    public func nextChunk() throws(DatabaseError) -> DataChunk? {
        guard let chunk = duckdb_fetch_chunk(result) else {
            if let message = duckdb_result_error(&result) {
                throw DatabaseError(kind: .init(rawValue: Int32(duckdb_result_error_type(&result).rawValue)),
                                    message: String(cString: message), sql: sql)
            }
            return nil
        }
        return DataChunk(taking: chunk)
    }

    /// Every remaining row, materialized. For small results (tests, metadata); stream large ones.
    public func rows() throws(DatabaseError) -> [[Value]] {
        var rows: [[Value]] = []
        while let chunk = try nextChunk() {
            for row in 0..<chunk.count {
                var values: [Value] = []
                values.reserveCapacity(columnTypes.count)
                for column in 0..<columnTypes.count { values.append(try chunk.value(column: column, row: row)) }
                rows.append(values)
            }
        }
        return rows
    }
}

@available(*, unavailable, message: "A result belongs to the task that ran the query.")
extension ResultSet: Sendable {}
