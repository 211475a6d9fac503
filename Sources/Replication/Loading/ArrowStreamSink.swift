import ArrowIPC
import Databricks
import DuckDB
import NIOCore

/// `streaming`: each Arrow chunk is decoded where it landed and its record batches go into DuckDB
/// through the C Data Interface without copying. Memory stays at what the client's download budget
/// holds, whatever the table size.
///
/// When every Arrow field already has the staging column's DuckDB type, batches go straight into
/// the staging table. Otherwise (VARIANT as text, nested values sent as JSON strings) they land in a
/// temporary table of the Arrow types and one `INSERT … SELECT` per chunk converts them.
final class ArrowStreamSink: RowSink {
    private let connection: Connection
    private let staging: StagingTable
    private var route: ArrowRoute?

    init(connection: Connection, staging: StagingTable) throws {
        self.connection = connection
        self.staging = staging
    }

    func append(_ chunk: ResultChunk, observer: (any TransferObserver)?, table: String) throws -> Int {
        let batches = try chunk.arrowBatches(observer: observer, table: table)
        var rows = 0
        for batch in batches where batch.length > 0 {
            let exported = try batch.exportToC()
            let route = try self.route ?? ArrowRoute(connection: connection, staging: staging, exported: exported)
            self.route = route
            try route.appender.append(arrowSchema: exported.schemaPointer, arrowArray: exported.arrayPointer)
            rows += batch.length
        }
        // Hand the chunk's rows to the table now: the appender would otherwise buffer them, and
        // memory would grow with the table instead of staying at the download budget.
        try route?.appender.flush()
        try route?.convertLanded(connection: connection, staging: staging, observer: observer, table: table)
        return rows
    }

    func finish(observer: (any TransferObserver)?, table: String) throws {
        try route?.close()
        route = nil
    }
}

/// Where Arrow batches go: the staging table itself, or a landing table converted per chunk.
final class ArrowRoute {
    private(set) var appender: Appender
    private let landing: String?
    private let conversion: String

    init(connection: Connection, staging: StagingTable, exported: ExportedBatch) throws {
        let arrowTypes = try connection.logicalTypes(forArrowSchema: exported.schemaPointer).map(\.type)
        let direct = try connection.appender(catalog: staging.catalog, schema: staging.plan.targetSchema, table: staging.name)
        guard arrowTypes.count == staging.plan.columns.count else {
            throw LoadError.unexpectedPayload("Arrow batches of \(arrowTypes.count) columns for \(staging.plan.columns.count)")
        }
        if arrowTypes == direct.columnTypes {
            appender = direct
            landing = nil
            conversion = ""
        } else {
            let name = "_dbduck_landing_\(staging.name)"
            let columns = zip(staging.plan.columns, arrowTypes).map { "\(quoteIdentifier($0.name)) \($1)" }
            try connection.execute("CREATE TEMP TABLE \(quoteIdentifier(name)) (\(columns.joined(separator: ", ")))")
            conversion = staging.arrowConversionList(landingTypes: arrowTypes, stagingTypes: direct.columnTypes)
            appender = try connection.appender(table: name)
            landing = name
        }
    }

    /// Moves the landed rows into the staging table with the conversions (no-op when direct).
    func convertLanded(connection: Connection, staging: StagingTable, observer: (any TransferObserver)?, table: String) throws {
        guard let landing else { return }
        try appender.close()
        try observer.measure(.convert, table: table) {
            try connection.execute("INSERT INTO \(staging.qualified) SELECT \(conversion) FROM \(quoteIdentifier(landing))")
            try connection.execute("DELETE FROM \(quoteIdentifier(landing))")
        }
        appender = try connection.appender(table: landing)
    }

    func close() throws { try appender.close() }
}
