import ArrowIPC
import DuckDB

/// The source's key columns at the pinned version, appended from Arrow batches into a temporary
/// table on the load's connection (inside its transaction), for `merge`'s delete detection. Its
/// columns take the types DuckDB gives the Arrow fields, so the appender never converts.
final class KeySetTable {
    private let connection: Connection
    let name: String
    private var appender: Appender?
    private(set) var rows = 0

    init(connection: Connection, runID: String) {
        self.connection = connection
        name = "_dbduck_keys_\(runID.prefix(8))"
    }

    var relation: String { "temp.main.\(quoteIdentifier(name))" }

    func append(_ batches: [RecordBatch], keyNames: [String]) throws {
        for batch in batches where batch.length > 0 {
            let exported = try batch.exportToC()
            let appender = try self.appender ?? create(exported, keyNames: keyNames)
            self.appender = appender
            try withExtendedLifetime(exported) {   // its pointers live as long as it does
                try appender.append(arrowSchema: exported.schemaPointer, arrowArray: exported.arrayPointer)
            }
            rows += batch.length
        }
    }

    /// Flushes the rows; an empty key set still gets its (empty) table, typed from `columns`.
    func finish(columns: [PlannedColumn]) throws {
        if let appender { try appender.close(); self.appender = nil; return }
        let list = columns.map { "\(quoteIdentifier($0.name)) \($0.targetType)" }.joined(separator: ", ")
        try connection.execute("CREATE OR REPLACE TEMP TABLE \(quoteIdentifier(name)) (\(list))")
    }

    func drop() { try? connection.execute("DROP TABLE IF EXISTS \(relation)") }

    private func create(_ exported: ExportedBatch, keyNames: [String]) throws -> Appender {
        let types = try connection.logicalTypes(forArrowSchema: exported.schemaPointer).map(\.type)
        let list = zip(keyNames, types).map { "\(quoteIdentifier($0)) \($1)" }.joined(separator: ", ")
        try connection.execute("CREATE OR REPLACE TEMP TABLE \(quoteIdentifier(name)) (\(list))")
        return try connection.appender(catalog: "temp", schema: "main", table: name)
    }
}
