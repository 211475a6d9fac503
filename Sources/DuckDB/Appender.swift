internal import CDuckDB
import Foundation

/// Fast loading into an existing table through DuckDB's appender.
///
/// Two ways in: rows (``append(row:)``, buffered into data chunks internally) or whole data chunks
/// (``append(_:)``, the chunk-wise path duckdb.h recommends). Call ``close()`` to flush and learn
/// about errors; `deinit` only destroys the handle.
///
/// ```swift
/// let appender = try connection.appender(table: "t")
/// try appender.append(row: [.integer(1), .varchar("a")])
/// try appender.close()
/// ```
public final class Appender {
    private var handle: duckdb_appender?
    let connection: Connection                       // keeps the connection open while we live (internal: ArrowIngest)
    private let target: String
    /// The table's column types.
    public let columnTypes: [LogicalType]
    private var pending: DataChunk?

    init(connection: Connection, catalog: String? = nil, schema: String?, table: String, columns: [String]? = nil) throws(DatabaseError) {
        self.connection = connection
        target = [catalog, schema, table].compactMap { $0 }.joined(separator: ".")
        var appender: duckdb_appender?
        if duckdb_appender_create_ext(connection.handle, catalog, schema, table, &appender) != DuckDBSuccess {
            let error = DatabaseError.consuming(duckdb_appender_error_data(appender))
            duckdb_appender_destroy(&appender)        // duckdb.h: destroy even when creation failed
            throw error ?? DatabaseError(kind: .catalog, message: "could not create an appender for \(target)")
        }
        // Named columns: rows hold these, in this order; the table's other columns get their defaults.
        for name in columns ?? [] where duckdb_appender_add_column(appender, name) != DuckDBSuccess {
            let error = DatabaseError.consuming(duckdb_appender_error_data(appender))
            duckdb_appender_destroy(&appender)
            throw error ?? DatabaseError(kind: .catalog, message: "\(target) has no column \(name)")
        }
        handle = appender
        columnTypes = (0..<duckdb_appender_column_count(appender)).map { column in
            var raw: duckdb_logical_type? = duckdb_appender_column_type(appender, column)
            defer { duckdb_destroy_logical_type(&raw) }
            return raw.map { LogicalType(raw: $0) } ?? .other(id: 0, name: "INVALID")
        }
    }

    /// An appender whose rows are not stored as they are but fed to `query` (an INSERT, UPDATE,
    /// DELETE or MERGE reading them as the relation `relation` with these columns), which runs at
    /// each flush over everything appended since the last one.
    init(connection: Connection, query: String, relation: String, columns: [(name: String, type: LogicalType)]) throws(DatabaseError) {
        self.connection = connection
        target = relation
        var raws: [duckdb_logical_type?] = []
        defer { for i in raws.indices { duckdb_destroy_logical_type(&raws[i]) } }
        for column in columns { raws.append(try column.type.makeRaw()) }
        let names = columns.map { strdup($0.name) }
        defer { for name in names { free(name) } }
        var appender: duckdb_appender?
        let state = raws.withUnsafeMutableBufferPointer { types in
            names.map { UnsafePointer($0) }.withUnsafeBufferPointer { names in
                duckdb_appender_create_query(connection.handle, query, idx_t(columns.count), types.baseAddress,
                                             relation, UnsafeMutablePointer(mutating: names.baseAddress), &appender)
            }
        }
        if state != DuckDBSuccess {
            let error = DatabaseError.consuming(duckdb_appender_error_data(appender))
            duckdb_appender_destroy(&appender)        // duckdb.h: destroy even when creation failed
            throw error ?? DatabaseError(kind: .binder, message: "could not create an appender for the query", sql: query)
        }
        handle = appender
        columnTypes = columns.map(\.type)
    }

    deinit { duckdb_appender_destroy(&handle) }

    /// An empty chunk with this table's column types.
    public func makeChunk() throws(DatabaseError) -> DataChunk { try DataChunk(types: columnTypes) }

    /// Appends one row; values convert to the column types when they fit exactly.
    public func append(row values: [Value]) throws(DatabaseError) {
        guard values.count == columnTypes.count else {
            throw DatabaseError(kind: .invalidInput, message: "\(target) has \(columnTypes.count) columns, the row has \(values.count) values")
        }
        let chunk: DataChunk
        if let pending { chunk = pending } else { chunk = try makeChunk(); pending = chunk }
        let row = chunk.count
        for (column, value) in values.enumerated() { try chunk.set(value, column: column, row: row) }
        chunk.count = row + 1
        if chunk.count == DataChunk.capacity { try flushPending() }
    }

    /// Appends a whole chunk (its types must be the table's).
    public func append(_ chunk: DataChunk) throws(DatabaseError) {
        try flushPending()
        try appendRaw(chunk.handle, rows: chunk.count)
    }

    /// Appends a raw chunk handle; for chunks produced elsewhere in this module (e.g. from Arrow).
    func appendRaw(_ chunk: duckdb_data_chunk, rows: Int) throws(DatabaseError) {
        guard rows > 0 else { return }
        guard duckdb_append_data_chunk(handle, chunk) == DuckDBSuccess else { throw currentError("append to") }
    }

    /// Writes buffered rows to the table.
    public func flush() throws(DatabaseError) {
        try flushPending()
        guard duckdb_appender_flush(handle) == DuckDBSuccess else { throw currentError("flush into") }
    }

    /// Flushes and closes. Errors (e.g. a constraint violation) surface here; call it before commit.
    public func close() throws(DatabaseError) {
        try flushPending()
        guard duckdb_appender_close(handle) == DuckDBSuccess else { throw currentError("close the appender of") }
    }

    private func flushPending() throws(DatabaseError) {
        guard let chunk = pending, chunk.count > 0 else { return }
        pending = nil
        try appendRaw(chunk.handle, rows: chunk.count)
    }

    private func currentError(_ action: String) -> DatabaseError {
        DatabaseError.consuming(duckdb_appender_error_data(handle))
            ?? DatabaseError(kind: .invalid, message: "could not \(action) \(target)")
    }
}

@available(*, unavailable, message: "An appender belongs to its connection's task.")
extension Appender: Sendable {}
