import ArrowIPC
import Databricks
import Dispatch
import DuckDB
import Foundation
import NIOCore
import Timing

/// Loads one table into DuckDB, on a thread of its own.
///
/// DuckDB's calls block, so the writer is an actor whose executor is a private serial queue (as
/// GRDB does): appends never hold a cooperative-pool thread that downloads need. It owns one
/// connection; the whole load is one transaction (staging table, rows, swap, run record), so a
/// failure, a Ctrl-C or a kill -9 at any point leaves the previous copy of the table as it was.
actor TableWriter {
    private nonisolated let executor: QueueExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    let connection: Connection
    /// The target database: `basic`'s extra row inserters connect to it, and scans use its scratch catalog.
    let database: Database
    /// Stops the load from another thread (task cancellation).
    nonisolated let cancellation: LoadCancellation
    let staging: StagingTable
    let observer: (any TransferObserver)?
    /// `merge`'s key set for delete detection, when it is read.
    var keys: KeySetTable?
    var sink: RowSink?
    var scan: StreamingScan?
    private(set) var rowsLoaded: Int64 = 0
    var inTransaction = false
    /// `_dbduck.progress` may hold a row for this table: an earlier run saved one, or this run did.
    /// Without one there is nothing to remove (most copies never checkpoint).
    var progressMayBeSaved: Bool

    init(database: Database, plan: PlannedTable, runID: String, observer: (any TransferObserver)?) throws {
        executor = QueueExecutor(label: "dbduck.writer.\(plan.target)")
        connection = try database.connect()
        self.database = database
        cancellation = LoadCancellation(connection.interruptHandle)
        staging = StagingTable(plan: plan, runID: runID, catalog: try database.catalogName())
        progressMayBeSaved = plan.resume.saved != nil
        self.observer = observer
    }

    /// Opens the transaction and creates the staging table (`resuming`: finds the saved one).
    func begin(strategy: LoadStrategy, resuming: Bool = false) throws {
        try openTransaction(resuming: resuming)
        try makeSink(strategy)
    }

    private func openTransaction(resuming: Bool) throws {
        try connection.execute("BEGIN TRANSACTION")
        inTransaction = true
        try prepareStaging(resuming: resuming)
    }

    func makeSink(_ strategy: LoadStrategy) throws {
        switch strategy {
        case .basic: sink = try BasicRowSink(connection: connection, staging: staging, database: database, cancellation: cancellation)
        case .batch: sink = try BatchRowSink(connection: connection, staging: staging)
        case .streaming: sink = NoRowsSink()   // streaming with rows goes through ``beginStreaming(schema:)``
        case .parquet: sink = try ParquetStageSink(connection: connection, staging: staging)
        }
    }

    /// `streaming`: creates the scan view over the table's batches (committed, before the
    /// transaction), then opens the transaction and creates the staging table. Feed the returned
    /// queue while ``runScan()`` runs.
    func beginStreaming(schema: ArrowSchemaDescription, resuming: Bool = false) throws -> ScanBatchQueue {
        let scan = try StreamingScan(connection: connection, staging: staging, schema: schema,
                                     scratchCatalog: try database.scratchCatalog(), observer: observer)
        self.scan = scan
        try openTransaction(resuming: resuming)
        return scan.queue
    }

    /// `streaming`, a result of one chunk (a small table, whole): when every Arrow column already
    /// has its staging column's type, opens the transaction, creates the staging table and appends
    /// the batches directly (no scan view, no INSERT to plan). Returns false, having done nothing,
    /// when a column needs a conversion, which only the scan's SELECT does.
    func appendWhole(schema: ArrowSchemaDescription, batches: [RecordBatch]) throws -> Bool {
        let exported = schema.exportToC()
        let arrowTypes = try connection.logicalTypes(forArrowSchema: exported.schemaPointer).map(\.type)
        withExtendedLifetime(exported) {}   // owns the struct the pointer points at
        let columns = staging.plan.columns
        guard arrowTypes.count == columns.count,
              zip(arrowTypes, columns).allSatisfy({ Self.isSame($0, $1.targetType) }) else { return false }
        try begin(strategy: .streaming)
        let start = ContinuousClock.now
        let appender = try connection.appender(catalog: staging.catalog, schema: staging.plan.targetSchema, table: staging.name)
        var rows = 0
        for batch in batches where batch.length > 0 {
            let exported = try batch.exportToC()
            try appender.append(arrowSchema: exported.schemaPointer, arrowArray: exported.arrayPointer)
            withExtendedLifetime(exported) {}   // owns the structs the pointers point at
            rows += batch.length
        }
        try appender.close()
        observer?.record(TransferEvent(phase: .load, table: staging.plan.source, start: start,
                                       duration: start.duration(to: .now), rows: rows, detail: "appender"))
        rowsLoaded += Int64(rows)
        return true
    }

    /// Whether DuckDB's type for an Arrow column is the planned column type itself (planned types
    /// are written as in ``TypeMapping``, which spells TIMESTAMP WITH TIME ZONE short).
    static func isSame(_ type: LogicalType, _ planned: String) -> Bool {
        type.description == planned.replacingOccurrences(of: "TIMESTAMPTZ", with: "TIMESTAMP WITH TIME ZONE")
    }

    /// Runs the scan's INSERT until its queue finishes; returns the rows it inserted.
    func runScan() throws -> Int64 {
        guard let scan else { throw LoadError.notStarted }
        let start = ContinuousClock.now
        let rows = try scan.insert(into: staging)
        // Recorded after the fact: the row count is known only once the INSERT returns.
        observer?.record(TransferEvent(phase: .load, table: staging.plan.source, start: start,
                                       duration: start.duration(to: .now), rows: rows, detail: "arrow scan"))
        rowsLoaded += Int64(rows)
        return Int64(rows)
    }

    /// Loads one chunk of the result, in row order.
    func load(_ chunk: ResultChunk) throws {
        guard let sink else { throw LoadError.notStarted }
        let table = staging.plan.source
        // The sink decodes through ``ChunkDecoder``, which checks the chunk's rows against the manifest.
        let rows = try observer.measure(.load, table: table, bytes: chunk.wireBytes, rows: Int(chunk.rowCount),
                                        detail: "chunk \(chunk.index)") {
            try sink.append(chunk, observer: observer, table: table)
        }
        rowsLoaded += Int64(rows)
    }

    /// Moves what is pending into the staging table and checks its row count against the
    /// warehouse's count at the pinned version.
    func finish(expectedRows: Int64) throws -> Int64 {
        guard sink != nil || scan != nil else { throw LoadError.notStarted }
        let table = staging.plan.source
        if let sink {
            try observer.measure(.load, table: table, detail: "finish") { try sink.finish(observer: observer, table: table) }
        }
        // A fresh copy's scan INSERT reports how many rows DuckDB inserted: every row of the
        // staging table. Rows appended by dbduck's own sinks, or saved by an earlier run, are counted.
        let count = scan != nil && staging.plan.resume.from == nil ? rowsLoaded : try observer.measure(.verify, table: table) { () throws -> Int64 in
            guard let value = try connection.scalar("SELECT COUNT(*) FROM \(staging.qualified)")?.integerValue else {
                throw LoadError.countFailed
            }
            return Int64(value)
        }
        guard count == expectedRows else { throw LoadError.tableCountMismatch(expected: expectedRows, got: count) }
        self.sink = nil
        return count
    }

    /// The staging table's per-column fingerprint (see ``ColumnChecksum``), as text.
    func checksums() throws -> [String?] {
        let sql = ColumnChecksum.duckDBSQL(staging.plan, relation: staging.qualified)
        let row = try observer.measure(.verify, table: staging.plan.source, detail: "checksum") {
            try connection.query(sql).rows().first ?? []
        }
        return row.map { value in value.isNull ? nil : value.integerValue.map { String($0) } ?? "\(value)" }
    }

    /// Swaps the staging table in, records the run (and the sync state a mode keeps) and commits.
    func commit(record: RunRecords.Record, sync: SyncPlan = .full) throws {
        try observer.measure(.commit, table: staging.plan.source) {
            for sql in staging.swapSQL { try connection.execute(sql) }
            try settleFullCopy(sync)
            if staging.plan.isResumable { try removeProgress() }
            var record = record
            record.finishedAt = Date()
            try RunRecords.insert(record, connection, catalog: staging.catalog)
            try connection.execute("COMMIT")
            inTransaction = false
        }
        scan?.drop()
        scan = nil
    }

    /// Rolls everything back (the target keeps its previous copy, and a resumable copy its last
    /// checkpoint unless `keepProgress` is false), removes staged files and records the failure in
    /// its own transaction.
    func abort(record: RunRecords.Record, keepProgress: Bool = true) {
        sink?.discard()
        sink = nil
        if inTransaction {
            try? connection.execute("ROLLBACK")   // failing here means DuckDB already rolled back
            inTransaction = false
        }
        scan?.drop()
        scan = nil
        keys?.drop()
        keys = nil
        if !keepProgress && staging.plan.isResumable { try? discardSavedCopy() }
        try? RunRecords.insert(record, connection, catalog: staging.catalog)   // best effort: the run's error is what matters
    }
}

/// Why a load stopped.
enum LoadError: Error, CustomStringConvertible {
    case notStarted
    case countFailed
    case rowCountMismatch(chunk: Int, expected: Int64, got: Int64)
    case tableCountMismatch(expected: Int64, got: Int64)
    case unexpectedPayload(String)
    case checksumMismatch(String)
    case duplicateKey(String)
    case copyCountMismatch(expected: Int64, got: Int64)

    var description: String {
        switch self {
        case .notStarted: "internal: the load was not started"
        case .countFailed: "could not count the loaded rows"
        case .rowCountMismatch(let chunk, let expected, let got):
            "chunk \(chunk) held \(got) rows where the manifest promised \(expected)"
        case .tableCountMismatch(let expected, let got):
            "loaded \(got) rows but the warehouse counts \(expected) at the pinned version"
        case .unexpectedPayload(let what): "the warehouse sent \(what)"
        case .checksumMismatch(let what): "verification failed: \(what)"
        case .duplicateKey(let what): what
        case .copyCountMismatch(let expected, let got):
            "after applying the changes the copy holds \(got) rows but the warehouse counts \(expected) at the pinned version; nothing was changed (run with --full-refresh to rebuild it)"
        }
    }
}
