import DuckDB
import Foundation

/// Reads and writes `_dbduck.progress`: one row per interrupted full copy, written in the same
/// transaction as the staging rows it describes and removed in the transaction that swaps the copy in.
public enum ProgressStore {
    public static let table = "progress"

    static func qualified(_ catalog: String) -> String {
        "\(quoteIdentifier(catalog)).\(quoteIdentifier(RunRecords.schema)).\(quoteIdentifier(table))"
    }

    static func createSQL(_ catalog: String) -> String { """
        CREATE TABLE IF NOT EXISTS \(qualified(catalog)) (
            target_table VARCHAR PRIMARY KEY, source_table VARCHAR NOT NULL, source_version BIGINT,
            statement_id VARCHAR NOT NULL, statement_sql VARCHAR NOT NULL, shape VARCHAR NOT NULL, chunks VARCHAR NOT NULL,
            total_rows BIGINT NOT NULL, chunks_done INTEGER NOT NULL, rows_done BIGINT NOT NULL, bytes_done BIGINT NOT NULL,
            staging_table VARCHAR NOT NULL, updated_at TIMESTAMPTZ NOT NULL)
        """
    }

    /// Every saved copy in the target, by lower-cased target; empty when the table does not exist.
    static func read(_ connection: Connection, catalog: String) throws -> [String: CopyProgress] {
        let exists = try connection.scalar("""
            SELECT count(*) FROM duckdb_tables() WHERE database_name = \(quoteLiteral(catalog))
              AND schema_name = \(quoteLiteral(RunRecords.schema)) AND table_name = \(quoteLiteral(table))
            """)?.integerValue ?? 0
        guard exists > 0 else { return [:] }
        let rows = try connection.query("""
            SELECT target_table, source_table, source_version, statement_id, statement_sql, shape, chunks, total_rows,
                   chunks_done, rows_done, bytes_done, staging_table, epoch_us(updated_at) FROM \(qualified(catalog))
            """).rows()
        let decoder = JSONDecoder()
        var saved: [String: CopyProgress] = [:]
        for row in rows {
            guard row.count == 13, let target = row[0].stringValue, let source = row[1].stringValue,
                  let statementID = row[3].stringValue, let sql = row[4].stringValue,
                  let shape = row[5].stringValue.flatMap({ try? decoder.decode(RowShape.self, from: Data($0.utf8)) }),
                  let chunks = row[6].stringValue.flatMap({ try? decoder.decode([ChunkSpan].self, from: Data($0.utf8)) }),
                  let total = row[7].integerValue, let chunksDone = row[8].integerValue, let rowsDone = row[9].integerValue,
                  let bytesDone = row[10].integerValue, let staging = row[11].stringValue
            else { continue }   // a row this version cannot read is no progress: the table starts over
            let micros = row[12].integerValue.map { Double($0) } ?? 0
            saved[target.lowercased()] = CopyProgress(
                target: target, source: source, version: row[2].integerValue.map { Int64($0) }, statementID: statementID,
                statementSQL: sql, shape: shape, chunks: chunks, totalRows: Int64(total), chunksDone: Int(chunksDone),
                rowsDone: Int64(rowsDone), bytesDone: Int64(bytesDone), stagingTable: staging,
                updatedAt: Date(timeIntervalSince1970: micros / 1e6))
        }
        return saved
    }

    /// Replaces the table's progress, inside the caller's transaction.
    static func write(_ progress: CopyProgress, _ connection: Connection, catalog: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try remove(target: progress.target, connection, catalog: catalog)
        let statement = try connection.prepare(
            "INSERT INTO \(qualified(catalog)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, make_timestamptz(?))")
        try statement.execute([
            .varchar(progress.target), .varchar(progress.source), progress.version.map { .bigint($0) } ?? .null,
            .varchar(progress.statementID), .varchar(progress.statementSQL),
            .varchar(String(decoding: try encoder.encode(progress.shape), as: UTF8.self)),
            .varchar(String(decoding: try encoder.encode(progress.chunks), as: UTF8.self)),
            .bigint(progress.totalRows), .bigint(Int64(progress.chunksDone)), .bigint(progress.rowsDone),
            .bigint(progress.bytesDone), .varchar(progress.stagingTable),
            .bigint(Int64(progress.updatedAt.timeIntervalSince1970 * 1e6)),
        ])
    }

    /// Creates the table (committed before any load, so parallel loads never race on it).
    static func ensureTable(_ connection: Connection, catalog: String) throws {
        try connection.execute(createSQL(catalog))
    }

    /// Forgets the table's progress, inside the caller's transaction.
    static func remove(target: String, _ connection: Connection, catalog: String) throws {
        try connection.prepare("DELETE FROM \(qualified(catalog)) WHERE lower(target_table) = lower(?)")
            .execute([.varchar(target)])
    }
}

extension ProgressStore {
    /// Drops a saved copy's staging table (in `schema` of the target) and its progress, in a
    /// transaction of its own: for a table whose run will not go through a full copy.
    static func discard(_ saved: CopyProgress, schema: String, database: Database) throws {
        let connection = try database.connect()
        let catalog = try database.catalogName()
        try connection.execute("BEGIN TRANSACTION")
        do {
            try connection.execute("""
                DROP TABLE IF EXISTS \(quoteIdentifier(catalog)).\(quoteIdentifier(schema)).\(quoteIdentifier(saved.stagingTable))
                """)
            try remove(target: saved.target, connection, catalog: catalog)
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }
}
