internal import CDuckDB

/// Owns one `duckdb_connection` and releases it exactly once. Shared by a ``Connection`` and its
/// ``InterruptHandle``s, so an interrupt can never reach a connection that was already closed.
final class ConnectionStorage: @unchecked Sendable {
    // @unchecked: `raw` is written only in init and deinit; duckdb_interrupt is thread-safe.
    let raw: duckdb_connection
    let database: Database                       // keeps the database open while we live

    init(database: Database) throws(DatabaseError) {
        var connection: duckdb_connection?
        guard duckdb_connect(database.handle, &connection) == DuckDBSuccess, let connection else {
            throw DatabaseError(kind: .connection, message: "could not connect to the database")
        }
        raw = connection
        self.database = database
    }

    deinit {
        var connection: duckdb_connection? = raw
        duckdb_disconnect(&connection)           // DuckDB nils the handle: released exactly once
    }
}

/// A connection to a ``Database``. Not `Sendable`: one task uses it at a time. To stop a running
/// query from elsewhere, take an ``interruptHandle``.
///
/// ```swift
/// try connection.execute("CREATE TABLE t (x INTEGER)")
/// let rows = try connection.query("SELECT x FROM t").rows()
/// ```
public final class Connection {
    let storage: ConnectionStorage
    var handle: duckdb_connection { storage.raw }

    /// The database this connection belongs to.
    public var database: Database { storage.database }

    init(database: Database) throws(DatabaseError) {
        storage = try ConnectionStorage(database: database)
    }

    /// Runs one or more statements, discarding any result.
    /// - Throws: ``DatabaseError`` with DuckDB's message, kind and this SQL.
    public func execute(_ sql: String) throws(DatabaseError) {
        var result = duckdb_result()
        defer { duckdb_destroy_result(&result) }  // duckdb.h: destroy it even after a failed query
        guard duckdb_query(handle, sql, &result) == DuckDBSuccess else {
            throw DatabaseError(failedResult: &result, sql: sql)
        }
    }

    /// Runs a query and returns its result, read chunk by chunk.
    public func query(_ sql: String) throws(DatabaseError) -> ResultSet {
        var result = duckdb_result()
        guard duckdb_query(handle, sql, &result) == DuckDBSuccess else {
            defer { duckdb_destroy_result(&result) }
            throw DatabaseError(failedResult: &result, sql: sql)
        }
        return ResultSet(taking: result, sql: sql)
    }

    /// Prepares a statement with `?` or `$name` parameters.
    public func prepare(_ sql: String) throws(DatabaseError) -> PreparedStatement {
        try PreparedStatement(connection: self, sql: sql)
    }

    /// An appender into an existing table (`schema` nil = the default schema; `catalog` nil = the
    /// default database). Name the catalog when a schema may share the database file's name.
    public func appender(catalog: String? = nil, schema: String? = nil, table: String, columns: [String]? = nil) throws(DatabaseError) -> Appender {
        try Appender(connection: self, catalog: catalog, schema: schema, table: table, columns: columns)
    }

    /// An appender that feeds what is appended to `query`, which reads it as the relation
    /// `relation` with these columns; the query runs at every ``Appender/flush()`` (and when DuckDB's
    /// buffer of appended rows fills).
    public func appender(query: String, relation: String, columns: [(name: String, type: LogicalType)]) throws(DatabaseError) -> Appender {
        try Appender(connection: self, query: query, relation: relation, columns: columns)
    }

    /// A handle that can interrupt this connection's running query from any thread.
    public var interruptHandle: InterruptHandle { InterruptHandle(storage: storage) }

    /// Interrupts the running query, which then fails with a ``DatabaseError`` of kind `.interrupt`.
    public func interrupt() { duckdb_interrupt(handle) }

    /// The first column of the first row, or nil when there is no row.
    public func scalar(_ sql: String) throws(DatabaseError) -> Value? {
        let result = try query(sql)
        guard let chunk = try result.nextChunk(), chunk.count > 0 else { return nil }
        return try chunk.value(column: 0, row: 0)
    }
}

@available(*, unavailable, message: "A connection is used by one task at a time; open one per task.")
extension Connection: Sendable {}

/// Interrupts a connection's running query from another thread or task.
///
/// Holds the connection's storage, so interrupting after the ``Connection`` is gone is harmless.
public struct InterruptHandle: Sendable {
    let storage: ConnectionStorage
    /// Calls `duckdb_interrupt`; the running query stops with an interruption error.
    public func interrupt() { duckdb_interrupt(storage.raw) }
}
