import DuckDB
import Foundation

/// The `_dbduck.runs` table in the target: one row per table per run, the history `analyze` reads.
public enum RunRecords {
    public static let schema = "_dbduck"
    public static let table = "runs"
    static func qualified(_ catalog: String) -> String {
        "\(quoteIdentifier(catalog)).\(quoteIdentifier(schema)).\(quoteIdentifier(table))"
    }

    static func createSQL(_ catalog: String) -> String { """
        CREATE SCHEMA IF NOT EXISTS \(quoteIdentifier(catalog)).\(quoteIdentifier(schema));
        CREATE TABLE IF NOT EXISTS \(qualified(catalog)) (
            run_id VARCHAR NOT NULL, source_table VARCHAR NOT NULL, target_table VARCHAR NOT NULL,
            started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ NOT NULL,
            rows BIGINT, bytes BIGINT, strategy VARCHAR, source_version BIGINT,
            status VARCHAR NOT NULL, error VARCHAR)
        """
    }

    /// Columns added since the table first shipped; files written by earlier versions gain them.
    static let laterColumns = [("mode", "VARCHAR"), ("version_from", "BIGINT"), ("rows_inserted", "BIGINT"),
                               ("rows_updated", "BIGINT"), ("rows_deleted", "BIGINT"), ("fallback_reason", "VARCHAR"),
                               ("source_pin", "VARCHAR")]

    public struct Record: Sendable, Codable, Equatable {
        public var runID: String
        public var source: String
        public var target: String
        public var startedAt: Date
        public var finishedAt: Date
        public var rows: Int64
        public var bytes: Int64
        public var strategy: LoadStrategy
        public var sourceVersion: Int64?
        /// `v12`, or `not pinned` for a view, which has no version (``sourceVersion`` is then NULL).
        public var sourcePin: String?
        public var status: String     // "succeeded" | "failed"
        public var error: String?
        /// The sync mode the table ran in, and for an incremental run the first version of its
        /// window (the last one is ``sourceVersion``) and what it changed.
        public var mode: SyncMode = .full
        public var versionFrom: Int64?
        public var changes: ChangeCounts?
        /// Why an incremental table was copied in full this run.
        public var fallbackReason: String?
    }

    static func ensureTable(_ connection: Connection, catalog: String) throws {
        try connection.execute(createSQL(catalog))
        for (name, type) in laterColumns {
            try connection.execute("ALTER TABLE \(qualified(catalog)) ADD COLUMN IF NOT EXISTS \(quoteIdentifier(name)) \(type)")
        }
    }

    /// Inserts a record in a transaction of its own.
    static func insert(_ r: Record, _ database: Database) throws {
        let connection = try database.connect()
        let catalog = try database.catalogName()
        try insert(r, connection, catalog: catalog)
    }

    /// Inserts a record on `connection` (inside the caller's transaction, if any), through an
    /// appender: an INSERT would be parsed and planned for its one row, every table of every run.
    static func insert(_ r: Record, _ connection: Connection, catalog: String) throws {
        func text(_ value: String?) -> Value { value.map { .varchar($0) } ?? .null }
        func number(_ value: Int64?) -> Value { value.map { .bigint($0) } ?? .null }
        func instant(_ date: Date) -> Value { .timestampTZ(micros: Int64(date.timeIntervalSince1970 * 1e6)) }
        let appender = try connection.appender(catalog: catalog, schema: schema, table: table, columns: [
            "run_id", "source_table", "target_table", "started_at", "finished_at", "rows", "bytes", "strategy",
            "source_version", "status", "error", "mode", "version_from", "rows_inserted", "rows_updated", "rows_deleted",
            "fallback_reason", "source_pin",
        ])
        try appender.append(row: [
            text(r.runID), text(r.source), text(r.target), instant(r.startedAt), instant(r.finishedAt),
            number(r.rows), number(r.bytes), text(r.strategy.rawValue), number(r.sourceVersion), text(r.status),
            text(r.error), text(r.mode.rawValue), number(r.versionFrom), number(r.changes?.inserted),
            number(r.changes?.updated), number(r.changes?.deleted), text(r.fallbackReason), text(r.sourcePin),
        ])
        try appender.close()
    }
}
