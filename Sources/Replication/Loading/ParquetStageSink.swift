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
        guard let first = batches.first else { return 0 }
        let rows = batches.reduce(0) { $0 + $1.length }
        if arrowTypes.isEmpty { arrowTypes = try landingTypes(first.schema) }
        guard rows > 0 else { return 0 }
        let file = directory.appendingPathComponent(String(format: "part-%06d.parquet", files.count)).path
        // DuckDB reads the chunk's batches in place through an Arrow scan and writes them straight
        // to Parquet: no copy into a table first. LZ4 keeps the scratch files small and is cheap
        // to write and to read back.
        let failure = FailureBox()
        var pending = batches[...]
        let source = ArrowStreamSource.batches(schema: first.schema, failure: failure) { pending.popFirst() }
        try observer.measure(.convert, table: table, rows: rows, detail: "write parquet") {
            let view = try scratch.createArrowScanView(named: "part", source: source)
            defer { try? scratch.execute("DROP VIEW IF EXISTS part") }
            try withExtendedLifetime(view) {
                try scratch.execute("COPY (SELECT * FROM part) TO \(quoteLiteral(file)) (FORMAT parquet, COMPRESSION lz4_raw)")
            }
        }
        if let error = failure.get() { throw error }
        files.append(file)
        return rows
    }

    /// The DuckDB types the Parquet files hold: what DuckDB makes of the Arrow schema.
    private func landingTypes(_ schema: ArrowSchemaDescription) throws -> [LogicalType] {
        let exported = schema.exportToC()
        return try withExtendedLifetime(exported) {
            try scratch.logicalTypes(forArrowSchema: exported.schemaPointer).map(\.type)
        }
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
