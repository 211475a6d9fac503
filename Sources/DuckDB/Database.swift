internal import CDuckDB
import Synchronization

/// A DuckDB database: a file, or in memory.
///
/// ```swift
/// let db = try Database(path: "analytics.duckdb", configuration: .init(threads: 2, memoryLimit: "4GB"))
/// let connection = try db.connect()
/// ```
///
/// `@unchecked Sendable`: DuckDB lets many threads each open their own connection to one database
/// (duckdb.h, `duckdb_connect`); the handle itself is never mutated after `init`.
public final class Database: @unchecked Sendable {
    /// Options passed to `duckdb_set_config` before the database opens.
    public struct Configuration: Sendable {
        public var threads: Int?
        /// DuckDB's memory limit, e.g. "4GB".
        public var memoryLimit: String?
        /// Open read-only (several processes may read one file).
        public var readOnly: Bool
        /// Any other DuckDB setting by name, e.g. ["temp_directory": "/tmp/x"].
        public var options: [String: String]

        public init(threads: Int? = nil, memoryLimit: String? = nil, readOnly: Bool = false,
                    options: [String: String] = [:]) {
            self.threads = threads; self.memoryLimit = memoryLimit; self.readOnly = readOnly; self.options = options
        }

        var settings: [(String, String)] {
            var all: [(String, String)] = [("autoload_known_extensions", "false"), ("autoinstall_known_extensions", "false")]
            if let threads { all.append(("threads", String(threads))) }
            if let memoryLimit { all.append(("memory_limit", memoryLimit)) }
            if readOnly { all.append(("access_mode", "READ_ONLY")) }
            all += options.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            return all
        }
    }

    let handle: duckdb_database
    /// The file path, or nil for an in-memory database.
    public let path: String?
    private let catalog = Mutex<String?>(nil)
    private let scratch = Mutex<Bool>(false)

    /// Opens (or creates) a database. `path: nil` opens an in-memory database.
    /// - Throws: ``DatabaseError`` with DuckDB's message, e.g. when the file is locked by another process.
    public init(path: String? = nil, configuration: Configuration = Configuration()) throws(DatabaseError) {
        self.path = path
        var config: duckdb_config?
        guard duckdb_create_config(&config) == DuckDBSuccess, let config else {
            throw DatabaseError(kind: .outOfMemory, message: "duckdb_create_config failed")
        }
        var ownedConfig: duckdb_config? = config
        defer { duckdb_destroy_config(&ownedConfig) }
        for (name, value) in configuration.settings where duckdb_set_config(config, name, value) != DuckDBSuccess {
            throw DatabaseError(kind: .invalidConfiguration,
                                message: "DuckDB does not accept setting \(name)=\(value). Check the name and value against DuckDB's settings list.")
        }
        var db: duckdb_database?
        var error: UnsafeMutablePointer<CChar>?
        let state = duckdb_open_ext(path ?? ":memory:", &db, config, &error)
        if state != DuckDBSuccess || db == nil {
            let message = error.map { String(cString: $0) } ?? "could not open the database"
            if let error { duckdb_free(error) }
            duckdb_close(&db)   // duckdb.h: safe on a failed open
            let kind: DatabaseError.Kind = message.contains("lock") ? .io : .connection
            throw DatabaseError(kind: kind, message: message)
        }
        guard let db else { throw DatabaseError(kind: .connection, message: "duckdb_open_ext returned no handle") }
        handle = db
    }

    deinit {
        var db: duckdb_database? = handle
        duckdb_close(&db)
    }

    /// A new connection. Each task or thread that uses the database needs its own.
    public func connect() throws(DatabaseError) -> Connection {
        try Connection(database: self)
    }

    /// The name DuckDB gives this database's catalog (the file name's stem; `memory` in memory),
    /// asked once: it never changes while the database is open.
    public func catalogName() throws(DatabaseError) -> String {
        if let known = catalog.withLock({ $0 }) { return known }
        let name = try connect().scalar("SELECT current_database()")?.stringValue ?? "main"
        catalog.withLock { $0 = name }
        return name
    }

    /// The name of an in-memory catalog attached to this database (once, on first use), for what
    /// loads keep outside the file: views over Arrow streams, and rows one connection commits for
    /// another to read (a transaction sees a catalog as it was when it first touched it, so one
    /// that has written to the file can still read what others committed here since). Attached
    /// databases belong to the instance: every connection sees it. Gone when the database closes.
    public func scratchCatalog() throws(DatabaseError) -> String {
        let name = Self.scratchCatalogName
        try scratch.withLock { (attached: inout Bool) throws(DatabaseError) in
            guard !attached else { return }
            try connect().execute("ATTACH ':memory:' AS \(name)")
            attached = true
        }
        return name
    }

    static let scratchCatalogName = "_dbduck_scratch"

    /// The linked DuckDB's version, from `duckdb_library_version()` (e.g. "v2.0.1").
    public static var libraryVersion: String { String(cString: duckdb_library_version()) }

    /// DuckDB's vector size: the most rows one data chunk holds.
    public static var vectorSize: Int { Int(duckdb_vector_size()) }
}
