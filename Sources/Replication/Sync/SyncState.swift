import DuckDB
import Foundation

/// Where a table's incremental sync stands, kept in the target file (`_dbduck.state`) and written
/// in the same transaction as the rows it describes: after a failure or a kill at any point, the
/// state and the data agree, and the next run redoes exactly the window that did not commit.
public struct SyncState: Sendable, Codable, Equatable {
    /// `schema.table` in the target.
    public var target: String
    public var source: String
    public var mode: SyncMode
    /// The Delta version the copy holds (nil: not pinned, e.g. a view).
    public var version: Int64?
    /// The cursor column and the largest value the copy holds, as text (nil: no cursor).
    public var cursor: String?
    public var bookmark: String?
    public var primaryKey: [String]
    public var deletes: DeletePolicy
    /// The Delta table id the copy came from; another id means the table was re-created.
    public var tableID: String?
    /// Names and types of the copied columns (see ``SchemaFingerprint``).
    public var columns: [SchemaFingerprint.Column]
    public var updatedAt: Date

    public init(target: String, source: String, mode: SyncMode, version: Int64?, cursor: String?, bookmark: String?,
                primaryKey: [String], deletes: DeletePolicy, tableID: String?, columns: [SchemaFingerprint.Column],
                updatedAt: Date = Date()) {
        self.target = target; self.source = source; self.mode = mode; self.version = version; self.cursor = cursor
        self.bookmark = bookmark; self.primaryKey = primaryKey; self.deletes = deletes; self.tableID = tableID
        self.columns = columns; self.updatedAt = updatedAt
    }
}

/// Reads and writes `_dbduck.state`.
public enum SyncStateStore {
    public static let table = "state"

    static func qualified(_ catalog: String) -> String {
        "\(quoteIdentifier(catalog)).\(quoteIdentifier(RunRecords.schema)).\(quoteIdentifier(table))"
    }

    static func createSQL(_ catalog: String) -> String { """
        CREATE TABLE IF NOT EXISTS \(qualified(catalog)) (
            target_table VARCHAR PRIMARY KEY, source_table VARCHAR NOT NULL, mode VARCHAR NOT NULL,
            source_version BIGINT, cursor_column VARCHAR, bookmark VARCHAR, primary_key VARCHAR NOT NULL,
            deletes VARCHAR NOT NULL, table_id VARCHAR, columns VARCHAR NOT NULL, updated_at TIMESTAMPTZ NOT NULL)
        """
    }

    /// Every table's state in the target; empty when the table does not exist.
    static func read(_ connection: Connection, catalog: String) throws -> [String: SyncState] {
        let exists = try connection.scalar("""
            SELECT count(*) FROM duckdb_tables() WHERE database_name = \(quoteLiteral(catalog))
              AND schema_name = \(quoteLiteral(RunRecords.schema)) AND table_name = \(quoteLiteral(table))
            """)?.integerValue ?? 0
        guard exists > 0 else { return [:] }
        let rows = try connection.query("""
            SELECT target_table, source_table, mode, source_version, cursor_column, bookmark, primary_key, deletes,
                   table_id, columns, epoch_us(updated_at) FROM \(qualified(catalog))
            """).rows()
        var states: [String: SyncState] = [:]
        let decoder = JSONDecoder()
        for row in rows {
            guard row.count == 11, let target = row[0].stringValue, let source = row[1].stringValue,
                  let mode = row[2].stringValue.flatMap(SyncMode.init(rawValue:)),
                  let key = row[6].stringValue.flatMap({ try? decoder.decode([String].self, from: Data($0.utf8)) }),
                  let deletes = row[7].stringValue.flatMap(DeletePolicy.init(rawValue:)),
                  let columns = row[9].stringValue.flatMap({ try? decoder.decode([SchemaFingerprint.Column].self, from: Data($0.utf8)) })
            else { continue }   // a row this version cannot read is treated as no state: the table is copied in full
            let micros = row[10].integerValue.map { Double($0) } ?? 0
            states[target.lowercased()] = SyncState(
                target: target, source: source, mode: mode, version: row[3].integerValue.map { Int64($0) },
                cursor: row[4].stringValue, bookmark: row[5].stringValue, primaryKey: key, deletes: deletes,
                tableID: row[8].stringValue, columns: columns, updatedAt: Date(timeIntervalSince1970: micros / 1e6))
        }
        return states
    }

    /// Creates the table (committed before any load, so parallel loads never race on it).
    static func ensureTable(_ connection: Connection, catalog: String) throws {
        try connection.execute(createSQL(catalog))
    }

    /// Replaces the table's state, inside the caller's transaction.
    static func write(_ state: SyncState, _ connection: Connection, catalog: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try connection.prepare("DELETE FROM \(qualified(catalog)) WHERE lower(target_table) = lower(?)")
            .execute([.varchar(state.target)])
        let statement = try connection.prepare("INSERT INTO \(qualified(catalog)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, make_timestamptz(?))")
        try statement.execute([
            .varchar(state.target), .varchar(state.source), .varchar(state.mode.rawValue),
            state.version.map { .bigint($0) } ?? .null, state.cursor.map { .varchar($0) } ?? .null,
            state.bookmark.map { .varchar($0) } ?? .null,
            .varchar(String(decoding: try encoder.encode(state.primaryKey), as: UTF8.self)),
            .varchar(state.deletes.rawValue), state.tableID.map { .varchar($0) } ?? .null,
            .varchar(String(decoding: try encoder.encode(state.columns), as: UTF8.self)),
            .bigint(Int64(state.updatedAt.timeIntervalSince1970 * 1e6)),
        ])
    }

    /// Forgets the table's state (a full copy in mode `full`), inside the caller's transaction.
    static func remove(target: String, _ connection: Connection, catalog: String) throws {
        try connection.prepare("DELETE FROM \(qualified(catalog)) WHERE lower(target_table) = lower(?)")
            .execute([.varchar(target)])
    }
}
