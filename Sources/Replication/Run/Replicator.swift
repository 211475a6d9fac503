import ArrowIPC
import Databricks
import DuckDB
import Foundation
import Logging

/// Runs a ``ReplicationPlan``: every table through its strategy into the DuckDB file, up to
/// `parallel_tables` at a time. A table that fails leaves its previous copy intact; the others
/// still commit, and the summary says which failed and why.
///
/// ```swift
/// let summary = await Replicator(plan: plan, source: client, target: .init(path: "analytics.duckdb")).run()
/// ```
public struct Replicator: Sendable {
    public var plan: ReplicationPlan
    public var source: DatabricksClient
    public var target: TargetSettings
    public var observer: (any TransferObserver)?
    public var progress: (any ReplicationProgress)?
    public var logger: Logger
    public let runID: String
    /// Ask for LZ4-compressed Arrow (`defaults.compression`).
    public var compressArrow = true
    /// What to check before a table commits (the row count always).
    public var verification: Verification = .count
    /// Decoded batches queued for the streaming scan, at most (the download budget's size).
    public var memoryBudgetBytes = TableDefaults().memoryBudgetBytes

    public init(plan: ReplicationPlan, source: DatabricksClient, target: TargetSettings,
                observer: (any TransferObserver)? = nil, progress: (any ReplicationProgress)? = nil,
                logger: Logger = Logger(label: "dbduck.replication"), runID: String = UUID().uuidString.lowercased()) {
        self.plan = plan; self.source = source; self.target = target; self.observer = observer
        self.progress = progress; self.logger = logger; self.runID = runID
    }

    /// Opens the target and copies every table. Throws only when the target can't be opened or
    /// prepared; table failures are reported in the summary.
    public func run() async throws -> ReplicationSummary {
        let started = Date(), clock = ContinuousClock.now
        ProcessMemory.configure()
        let database = try TargetDatabase.open(path: plan.targetPath, settings: target)
        try TargetDatabase.prepare(database, schemas: Set(plan.tables.map(\.targetSchema)))
        var outcomes = [ReplicationSummary.TableOutcome?](repeating: nil, count: plan.tables.count)
        let width = max(1, plan.parallelTables)
        await withTaskGroup(of: (Int, ReplicationSummary.TableOutcome).self) { group in
            var next = 0
            func startNext() {
                guard next < plan.tables.count else { return }
                let index = next, table = plan.tables[index]
                next += 1
                group.addTask { (index, await copy(table, into: database)) }
            }
            for _ in 0..<width { startNext() }
            for await (index, outcome) in group {
                outcomes[index] = outcome
                startNext()
            }
        }
        return ReplicationSummary(runID: runID, targetPath: plan.targetPath, startedAt: started,
                                  seconds: (ContinuousClock.now - clock).seconds, tables: outcomes.compactMap { $0 })
    }

    /// Copies one table; never throws: a failure becomes a failed outcome (and a failed run record).
    func copy(_ table: PlannedTable, into database: Database) async -> ReplicationSummary.TableOutcome {
        let started = Date(), clock = ContinuousClock.now
        progress?.started(table)
        var record = RunRecords.Record(runID: runID, source: table.source, target: table.target, startedAt: started,
                                       finishedAt: started, rows: 0, bytes: 0, strategy: table.strategy,
                                       sourceVersion: table.version, status: "succeeded", error: nil)
        var bytes: Int64 = 0
        var writer: TableWriter?
        var statementID: String?
        do {
            try Task.checkCancellation()   // interrupted before this table started: it stays as it was
            let w = try TableWriter(database: database, plan: table, runID: runID, observer: observer)
            writer = w
            try await withTaskCancellationHandler {
                let result = try await source.execute(request(for: table))
                statementID = result.statementID
                guard result.manifest.columns.count == table.columns.count else {
                    throw LoadError.unexpectedPayload("\(result.manifest.columns.count) columns where \(table.columns.count) were selected")
                }
                let chunks = source.chunks(of: result, table: table.source)
                var iterator = chunks.makeAsyncIterator()
                var rows: Int64 = 0
                func advance(_ chunk: ResultChunk) {
                    rows += chunk.rowCount
                    bytes += Int64(chunk.wireBytes)
                    progress?.advanced(table, rows: rows, bytes: bytes)
                }
                if table.strategy == .streaming, let first = try await iterator.next() {
                    try await streamByScan(first: first, rest: &iterator, table: table, writer: w, advance: advance)
                } else {
                    // Every other strategy, and a streaming table with no rows: chunk by chunk into the writer.
                    try await w.begin(strategy: table.strategy)
                    var next = table.strategy == .streaming ? nil : try await iterator.next()
                    while let chunk = next {
                        try await w.load(chunk)
                        advance(chunk)
                        next = try await iterator.next()
                    }
                }
                record.bytes = bytes
                record.rows = try await w.finish(expectedRows: table.rowCount)
                if verification == .checksum { try await verifyChecksums(table, writer: w) }
                try await w.commit(record: record)
            } onCancel: {
                w.interruptHandle.interrupt()
            }
            if let statementID { try? await source.close(statementID: statementID) }   // frees results early; best effort
            let outcome = ReplicationSummary.TableOutcome(source: table.source, target: table.target, strategy: table.strategy,
                                                          status: "succeeded", rows: record.rows, bytes: bytes,
                                                          seconds: (ContinuousClock.now - clock).seconds,
                                                          sourceVersion: table.version, error: nil)
            logger.info("table copied", metadata: ["table": "\(table.source)", "rows": "\(record.rows)", "strategy": "\(table.strategy)"])
            progress?.finished(table, outcome)
            return outcome
        } catch {
            let message = Task.isCancelled ? "interrupted" : describe(error)
            if let statementID { try? await source.cancel(statementID: statementID) }
            record.status = "failed"
            record.error = message
            record.bytes = bytes
            record.finishedAt = Date()
            await writer?.abort(record: record)
            let outcome = ReplicationSummary.TableOutcome(source: table.source, target: table.target, strategy: table.strategy,
                                                          status: "failed", rows: 0, bytes: bytes,
                                                          seconds: (ContinuousClock.now - clock).seconds,
                                                          sourceVersion: table.version, error: message)
            logger.error("table failed", metadata: ["table": "\(table.source)", "error": "\(message)"])
            progress?.finished(table, outcome)
            return outcome
        }
    }

    func request(for table: PlannedTable) -> StatementRequest {
        let arrow = table.strategy == .streaming || table.strategy == .parquet
        return StatementRequest(table.selectSQL, disposition: .externalLinks, format: arrow ? .arrowStream : .jsonArray,
                                compression: arrow && compressArrow ? .lz4Frame : .none)
    }

    /// `streaming`: decodes each chunk here and queues its batches for the writer's single Arrow-scan
    /// INSERT, which runs meanwhile; waits for room so no more than the download budget is queued.
    func streamByScan(first: ResultChunk, rest iterator: inout ResultChunks.Iterator, table: PlannedTable,
                      writer: TableWriter, advance: (ResultChunk) -> Void) async throws {
        let decoder = ChunkDecoder(observer: observer, table: table.source)
        let (schema, firstBatches) = try decoder.arrow(first)
        let queue = try await writer.beginStreaming(schema: schema)
        async let inserted = writer.runScan()
        do {
            queue.push(firstBatches, bytes: first.memoryBytes)
            advance(first)
            while let chunk = try await iterator.next() {
                // The queue's share of the budget for decoded batches waiting for DuckDB; the client holds the rest.
                try await queue.waitForRoom(for: chunk.memoryBytes, limit: MemoryBudgetShare.scanQueue(memoryBudgetBytes))
                guard !queue.isStopped else { break }               // the INSERT failed; its error follows
                queue.push(try decoder.arrow(chunk).batches, bytes: chunk.memoryBytes)
                advance(chunk)
            }
            queue.finish()
        } catch {
            queue.finish()
            _ = try? await inserted                                 // the download's error is the one to report
            throw error
        }
        _ = try await inserted
    }

    /// Compares per-column fingerprints computed by the warehouse and by DuckDB; a difference fails
    /// the table (its previous copy stays) and names the first column that differs.
    func verifyChecksums(_ table: PlannedTable, writer: TableWriter) async throws {
        guard table.limit == nil else { return }   // a LIMIT sample has no well-defined rows to checksum
        let result = try await source.execute(StatementRequest(ColumnChecksum.databricksSQL(table)))
        var remote: [String?] = []
        for try await chunk in source.chunks(of: result) {
            if case .json(let rows) = chunk.payload, let first = rows.first { remote = first; break }
        }
        let local = try await writer.checksums()
        if let difference = ColumnChecksum.firstDifference(table, warehouse: remote, duckdb: local) {
            throw LoadError.checksumMismatch(difference)
        }
        let countOnly = ColumnChecksum.countOnlyColumns(table)
        logger.info("checksums match", metadata: ["table": "\(table.source)", "count_only": "\(countOnly.joined(separator: ","))"])
    }

    private func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return "DuckDB: \(error.message)" }
        return "\(error)"
    }
}
