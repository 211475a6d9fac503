internal import CDuckDB

/// An error reported by DuckDB, or by this wrapper when a value or handle is unusable.
///
/// Keeps DuckDB's message verbatim, its error kind and the SQL that failed. Bound values never
/// appear in it: they may hold data that must not reach logs.
public struct DatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// DuckDB's error kind (`duckdb_error_type`). A struct, so new DuckDB kinds don't break callers.
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let invalid = Kind(rawValue: 0)
        public static let outOfRange = Kind(rawValue: 1)
        public static let conversion = Kind(rawValue: 2)
        public static let mismatchType = Kind(rawValue: 5)
        public static let transaction = Kind(rawValue: 10)
        public static let notImplemented = Kind(rawValue: 11)
        public static let catalog = Kind(rawValue: 13)
        public static let parser = Kind(rawValue: 14)
        public static let constraint = Kind(rawValue: 18)
        public static let connection = Kind(rawValue: 21)
        public static let syntax = Kind(rawValue: 22)
        public static let settings = Kind(rawValue: 23)
        public static let binder = Kind(rawValue: 24)
        public static let io = Kind(rawValue: 28)
        public static let interrupt = Kind(rawValue: 29)
        public static let fatal = Kind(rawValue: 30)
        public static let `internal` = Kind(rawValue: 31)
        public static let invalidInput = Kind(rawValue: 32)
        public static let outOfMemory = Kind(rawValue: 33)
        public static let invalidConfiguration = Kind(rawValue: 42)
        public static let resourceInUse = Kind(rawValue: 44)

        public var description: String {
            switch self {
            case .outOfRange: "out of range"
            case .conversion: "conversion"
            case .mismatchType: "type mismatch"
            case .transaction: "transaction"
            case .notImplemented: "not implemented"
            case .catalog: "catalog"
            case .parser: "parser"
            case .constraint: "constraint"
            case .connection: "connection"
            case .syntax: "syntax"
            case .settings: "settings"
            case .binder: "binder"
            case .io: "I/O"
            case .interrupt: "interrupted"
            case .fatal: "fatal"
            case .internal: "internal"
            case .invalidInput: "invalid input"
            case .outOfMemory: "out of memory"
            case .invalidConfiguration: "invalid configuration"
            case .resourceInUse: "resource in use"
            default: "error \(rawValue)"
            }
        }
    }

    public var kind: Kind
    /// DuckDB's own message, verbatim.
    public var message: String
    /// The SQL that failed, when there was one. Never bound values.
    public var sql: String?

    public init(kind: Kind, message: String, sql: String? = nil) {
        self.kind = kind; self.message = message; self.sql = sql
    }

    public var description: String {
        var text = "DuckDB \(kind) error: \(message)"
        if let sql { text += " (SQL: \(sql.count > 500 ? String(sql.prefix(500)) + "…" : sql))" }
        return text
    }

    /// True when the statement stopped because `duckdb_interrupt` was called.
    public var isInterruption: Bool { kind == .interrupt || message.contains("INTERRUPT") }
}

extension DatabaseError {
    /// From a failed `duckdb_result` (duckdb.h: the result must still be destroyed by the caller).
    init(failedResult result: inout duckdb_result, sql: String?) {
        let message = duckdb_result_error(&result).map { String(cString: $0) } ?? "unknown error"
        self.init(kind: Kind(rawValue: Int32(duckdb_result_error_type(&result).rawValue)), message: message, sql: sql)
    }

    /// From a `duckdb_error_data`, which it destroys. Returns nil when it holds no error.
    static func consuming(_ data: duckdb_error_data?, sql: String? = nil) -> DatabaseError? {
        guard let data else { return nil }
        var owned: duckdb_error_data? = data
        defer { duckdb_destroy_error_data(&owned) }
        guard duckdb_error_data_has_error(data) else { return nil }
        let message = duckdb_error_data_message(data).map { String(cString: $0) } ?? "unknown error"
        return DatabaseError(kind: Kind(rawValue: Int32(duckdb_error_data_error_type(data).rawValue)),
                             message: message, sql: sql)
    }
}
