import ArrowIPC
import Databricks
import DuckDB
import Foundation
import Timing

/// `parquet`: each Arrow chunk is written by DuckDB (a scratch in-memory database) to a Parquet file
/// in a private staging directory; at the end one `read_parquet` over the files, in order, fills the
/// staging table. The files are removed after success and after failure.
final class ParquetStageSink: RowSink {
    private let connection: Connection
    private let staging: StagingTable
    private let scratch: Connection
    private let directory: URL
    private var files: [String] = []
    private var partAppender: Appender?
    private var arrowTypes: [LogicalType] = []

    init(connection: Connection, staging: StagingTable) throws {
        self.connection = connection
        self.staging = staging
        scratch = try Database(configuration: .init(threads: 1)).connect()
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("dbduck-stage-\(staging.runID.prefix(8))-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func append(_ chunk: ResultChunk, observer: (any TransferObserver)?, table: String) throws -> Int {
        let batches = try ChunkDecoder(observer: observer, table: table).arrow(chunk).batches
        var rows = 0
        for batch in batches {
            let exported = try batch.exportToC()
            let appender = try partAppender ?? makePart(exported)
            partAppender = appender
            try withExtendedLifetime(exported) {   // its pointers live as long as it does
                try appender.append(arrowSchema: exported.schemaPointer, arrowArray: exported.arrayPointer)
            }
            rows += batch.length
        }
        guard rows > 0, let appender = partAppender else { return rows }
        try appender.close()
        partAppender = nil
        let file = directory.appendingPathComponent(String(format: "part-%06d.parquet", files.count)).path
        try observer.measure(.convert, table: table, rows: rows, detail: "write parquet") {
            try scratch.execute("COPY part TO \(quoteLiteral(file)) (FORMAT parquet)")
            try scratch.execute("DROP TABLE part")
        }
        files.append(file)
        return rows
    }

    private func makePart(_ exported: ExportedBatch) throws -> Appender {
        let described = try scratch.logicalTypes(forArrowSchema: exported.schemaPointer)
        arrowTypes = described.map(\.type)
        let columns = zip(staging.plan.columns, arrowTypes).map { "\(quoteIdentifier($0.name)) \($1)" }
        try scratch.execute("CREATE TABLE part (\(columns.joined(separator: ", ")))")
        return try scratch.appender(table: "part")
    }

    func finish(observer: (any TransferObserver)?, table: String) throws {
        defer { discard() }
        guard !files.isEmpty else { return }
        let stagingTypes = try connection.appender(catalog: staging.catalog, schema: staging.plan.targetSchema, table: staging.name).columnTypes
        let list = files.map(quoteLiteral).joined(separator: ", ")
        let conversion = staging.arrowConversionList(landingTypes: arrowTypes, stagingTypes: stagingTypes)
        try connection.execute("INSERT INTO \(staging.qualified) SELECT \(conversion) FROM read_parquet([\(list)])")
    }

    func discard() {
        try? FileManager.default.removeItem(at: directory)   // nothing else may be in our private directory
        files = []
    }
}
