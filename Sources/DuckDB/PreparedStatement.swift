internal import CDuckDB

/// A prepared statement with typed parameter binding.
///
/// ```swift
/// let insert = try connection.prepare("INSERT INTO t VALUES (?, ?)")
/// try insert.execute([.integer(1), .varchar("a")])
/// ```
public final class PreparedStatement {
    private var handle: duckdb_prepared_statement?
    private let connection: Connection                // keeps the connection open while we live
    /// The statement's SQL (errors quote it; bound values never appear in errors).
    public let sql: String

    init(connection: Connection, sql: String) throws(DatabaseError) {
        self.connection = connection
        self.sql = sql
        var prepared: duckdb_prepared_statement?
        if duckdb_prepare(connection.handle, sql, &prepared) != DuckDBSuccess {
            let message = duckdb_prepare_error(prepared).map { String(cString: $0) } ?? "could not prepare the statement"
            duckdb_destroy_prepare(&prepared)          // duckdb.h: destroy even when preparation failed
            throw DatabaseError(kind: message.hasPrefix("Parser") ? .parser : .binder, message: message, sql: sql)
        }
        handle = prepared
    }

    deinit { duckdb_destroy_prepare(&handle) }

    /// The number of parameters.
    public var parameterCount: Int { Int(duckdb_nparams(handle)) }

    /// Binds `value` to the parameter at `index` (1-based, as in duckdb.h).
    public func bind(_ value: Value, at index: Int) throws(DatabaseError) {
        let i = idx_t(index)
        let state: duckdb_state
        switch value {
        case .null: state = duckdb_bind_null(handle, i)
        case .boolean(let v): state = duckdb_bind_boolean(handle, i, v)
        case .tinyint(let v): state = duckdb_bind_int8(handle, i, v)
        case .smallint(let v): state = duckdb_bind_int16(handle, i, v)
        case .integer(let v): state = duckdb_bind_int32(handle, i, v)
        case .bigint(let v): state = duckdb_bind_int64(handle, i, v)
        case .hugeint(let v): state = duckdb_bind_hugeint(handle, i, VectorWriter.hugeint(v))
        case .utinyint(let v): state = duckdb_bind_uint8(handle, i, v)
        case .usmallint(let v): state = duckdb_bind_uint16(handle, i, v)
        case .uinteger(let v): state = duckdb_bind_uint32(handle, i, v)
        case .ubigint(let v): state = duckdb_bind_uint64(handle, i, v)
        case .uhugeint(let v): state = duckdb_bind_uhugeint(handle, i, duckdb_uhugeint(lower: UInt64(truncatingIfNeeded: v), upper: UInt64(v >> 64)))
        case .float(let v): state = duckdb_bind_float(handle, i, v)
        case .double(let v): state = duckdb_bind_double(handle, i, v)
        case .decimal(let d):
            state = duckdb_bind_decimal(handle, i, duckdb_decimal(width: d.width, scale: d.scale, value: VectorWriter.hugeint(d.unscaled)))
        case .varchar(let s):
            var text = s
            state = text.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) { duckdb_bind_varchar_length(handle, i, $0.baseAddress, idx_t($0.count)) }
            }
        case .blob(let bytes): state = bytes.withUnsafeBytes { duckdb_bind_blob(handle, i, $0.baseAddress, idx_t($0.count)) }
        case .date(let days): state = duckdb_bind_date(handle, i, duckdb_date(days: days))
        case .time(let micros): state = duckdb_bind_time(handle, i, duckdb_time(micros: micros))
        case .timestamp(let micros): state = duckdb_bind_timestamp(handle, i, duckdb_timestamp(micros: micros))
        case .timestampTZ(let micros): state = duckdb_bind_timestamp_tz(handle, i, duckdb_timestamp(micros: micros))
        case .interval(let v): state = duckdb_bind_interval(handle, i, duckdb_interval(months: v.months, days: v.days, micros: v.micros))
        case .timestampNS, .uuid, .list, .array, .structure, .map:
            throw DatabaseError(kind: .notImplemented,
                                message: "binding a \(value.kindName) parameter is not supported; bind its text (e.g. JSON) and CAST it in the SQL",
                                sql: sql)
        }
        guard state == DuckDBSuccess else {
            throw DatabaseError(kind: .invalidInput,
                                message: "could not bind a \(value.kindName) value to parameter \(index) of \(parameterCount)", sql: sql)
        }
    }

    /// Binds text (or NULL for nil) to the parameter at `index` (1-based), without boxing it in a ``Value``.
    public func bind(text: String?, at index: Int) throws(DatabaseError) {
        let i = idx_t(index)
        let state: duckdb_state
        if var text {
            state = text.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) { duckdb_bind_varchar_length(handle, i, $0.baseAddress, idx_t($0.count)) }
            }
        } else {
            state = duckdb_bind_null(handle, i)
        }
        guard state == DuckDBSuccess else {
            throw DatabaseError(kind: .invalidInput, message: "could not bind text to parameter \(index) of \(parameterCount)", sql: sql)
        }
    }

    /// Binds all parameters in order.
    public func bind(_ values: [Value]) throws(DatabaseError) {
        guard values.count == parameterCount else {
            throw DatabaseError(kind: .invalidInput, message: "the statement has \(parameterCount) parameters, \(values.count) values were given", sql: sql)
        }
        for (offset, value) in values.enumerated() { try bind(value, at: offset + 1) }
    }

    /// Binds `values` (when given) and runs the statement, discarding any result.
    public func execute(_ values: [Value]? = nil) throws(DatabaseError) {
        if let values { try bind(values) }
        var result = duckdb_result()
        defer { duckdb_destroy_result(&result) }
        guard duckdb_execute_prepared(handle, &result) == DuckDBSuccess else {
            throw DatabaseError(failedResult: &result, sql: sql)
        }
    }

    /// Binds `values` (when given) and runs the statement, returning its result.
    public func query(_ values: [Value]? = nil) throws(DatabaseError) -> ResultSet {
        if let values { try bind(values) }
        var result = duckdb_result()
        guard duckdb_execute_prepared(handle, &result) == DuckDBSuccess else {
            defer { duckdb_destroy_result(&result) }
            throw DatabaseError(failedResult: &result, sql: sql)
        }
        return ResultSet(taking: result, sql: sql)
    }
}

@available(*, unavailable, message: "A prepared statement belongs to its connection's task.")
extension PreparedStatement: Sendable {}
