import DuckDB
import Synchronization

/// One connection's prepared one-row INSERT into one table: every row binds its values as text
/// and executes the statement, and DuckDB casts each text to its column's exact type.
final class RowInserter {
    let connection: Connection
    private let insert: PreparedStatement

    init(connection: Connection, into relation: String, columns: [PlannedColumn]) throws {
        let values = columns.map { column in
            column.databricksType.map { TextConversion.expression(TextConversion.textParameter, as: $0) }
                ?? TextConversion.textParameter
        }
        // With insertion order off, DuckDB plans the INSERT for its parallel path, which wakes all of
        // its threads for every single-row execute; planned with order kept, it avoids that path.
        // The setting is this connection's own and is read when the statement is planned.
        try connection.execute("SET SESSION preserve_insertion_order = true")
        insert = try connection.prepare("INSERT INTO \(relation) VALUES (\(values.joined(separator: ", ")))")
        self.connection = connection
    }

    /// Inserts `rows`, one execute each. Returns early once `stop` is set (another connection
    /// sharing the chunk has failed, so the load fails anyway); throws once the load is cancelled,
    /// which interrupts only the load's own connection.
    func insert(_ rows: ArraySlice<[String?]>, stop: borrowing Atomic<Bool>, cancellation: LoadCancellation?) throws {
        for row in rows {
            if stop.load(ordering: .relaxed) { return }
            if cancellation?.isCancelled == true { throw CancellationError() }
            for (offset, text) in row.enumerated() { try insert.bind(text: text, at: offset + 1) }
            try insert.execute()
        }
    }
}
