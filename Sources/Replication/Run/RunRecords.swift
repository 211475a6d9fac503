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
        public var status: String     // "succeeded" | "failed"
        public var error: String?
    }

    static func ensureTable(_ connection: Connection, catalog: String) throws {
        try connection.execute(createSQL(catalog))
    }

    /// Inserts a record on `connection` (inside the caller's transaction, if any).
    static func insert(_ r: Record, _ connection: Connection, catalog: String) throws {
        let statement = try connection.prepare("INSERT INTO \(qualified(catalog)) VALUES (?, ?, ?, make_timestamptz(?), make_timestamptz(?), ?, ?, ?, ?, ?, ?)")
        try statement.execute([
            .varchar(r.runID), .varchar(r.source), .varchar(r.target),
            .bigint(Int64(r.startedAt.timeIntervalSince1970 * 1e6)), .bigint(Int64(r.finishedAt.timeIntervalSince1970 * 1e6)),
            .bigint(r.rows), .bigint(r.bytes), .varchar(r.strategy.rawValue),
            r.sourceVersion.map { .bigint($0) } ?? .null, .varchar(r.status), r.error.map { .varchar($0) } ?? .null,
        ])
    }
}
