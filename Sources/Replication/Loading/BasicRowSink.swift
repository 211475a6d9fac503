import Databricks
import DuckDB
import Timing

/// `basic`: one prepared INSERT per row, values bound as the text JSON_ARRAY delivers and cast by
/// DuckDB to the exact column types. The slow, simple baseline the seed starts from; the statement is
/// planned once and every row only binds its text and executes it.
final class BasicRowSink: RowSink {
    private let insert: PreparedStatement
    private let width: Int

    init(connection: Connection, staging: StagingTable) throws {
        let values = staging.plan.columns.map { column in
            column.databricksType.map { TextConversion.expression(TextConversion.textParameter, as: $0) }
                ?? TextConversion.textParameter
        }
        // With insertion order off, DuckDB plans the INSERT for its parallel path, which wakes all of
        // its threads for every single-row execute; planned with order kept, it avoids that path.
        // The setting is this connection's own and is read when the statement is planned.
        try connection.execute("SET SESSION preserve_insertion_order = true")
        insert = try connection.prepare("INSERT INTO \(staging.qualified) VALUES (\(values.joined(separator: ", ")))")
        width = staging.plan.columns.count
    }

    func append(_ chunk: ResultChunk, observer: (any TransferObserver)?, table: String) throws -> Int {
        let rows = try ChunkDecoder(observer: observer, table: table).textRows(chunk)
        for row in rows {
            guard row.count == width else { throw LoadError.unexpectedPayload("a row of \(row.count) values for \(width) columns") }
            for (offset, text) in row.enumerated() { try insert.bind(text: text, at: offset + 1) }
            try insert.execute()
        }
        return rows.count
    }

    func finish(observer: (any TransferObserver)?, table: String) throws {}
}
