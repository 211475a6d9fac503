import ArrowIPC
import Databricks
import DuckDB
import Foundation
import Logging
import Timing

/// Runs a ``ReplicationPlan``: every table through its strategy into the DuckDB file, up to
/// `parallel_tables` at a time. A table that fails leaves its previous copy intact; the others
/// still commit, and the summary says which failed and why.
///
/// ```swift
/// let client = try DatabricksClient(workspace: workspace, options: plan.settings.clientOptions)
/// let summary = try await Replicator(plan: plan, source: client).run()
/// ```
public struct Replicator: Sendable {
    public var plan: ReplicationPlan
    public var source: DatabricksClient
    public var observer: (any TransferObserver)?
    public var progress: (any ReplicationProgress)?
    public var logger: Logger
    public let runID: String

    /// `source` should be built from `plan.settings.clientOptions`: the plan's memory budget is
    /// shared between the client's downloads and the replicator's scan queue.
    public init(plan: ReplicationPlan, source: DatabricksClient,
                observer: (any TransferObserver)? = nil, progress: (any ReplicationProgress)? = nil,
                logger: Logger = .silent, runID: String = UUID().uuidString.lowercased()) {
        self.plan = plan; self.source = source; self.observer = observer
        self.progress = progress; self.logger = logger; self.runID = runID
    }

    /// Opens the target and copies every table. Throws only when the target can't be opened or
    /// prepared; table failures are reported in the summary.
    public func run() async throws -> ReplicationSummary {
        let started = Date(), clock = ContinuousClock.now
        ProcessMemory.configure()
        let database = try TargetDatabase.open(path: plan.targetPath, settings: plan.settings.target)
        try TargetDatabase.prepare(database, schemas: Set(plan.tables.map(\.targetSchema)))
        var outcomes = [ReplicationSummary.TableOutcome?](repeating: nil, count: plan.tables.count)
        let width = max(1, plan.settings.parallelTables)
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
        var all = outcomes.compactMap { $0 }
        for missing in plan.unavailable {
            let now = Date()
            let record = RunRecords.Record(runID: runID, source: missing.source, target: missing.target, startedAt: now,
                                           finishedAt: now, rows: 0, bytes: 0, strategy: .streaming, sourceVersion: nil,
                                           status: "failed", error: missing.reason)
            try? RunRecords.insert(record, database)   // best effort: the summary carries the failure either way
            all.append(ReplicationSummary.TableOutcome(source: missing.source, target: missing.target, strategy: .streaming,
                                                       status: "failed", rows: 0, bytes: 0, seconds: 0,
                                                       sourceVersion: nil, error: missing.reason))
        }
        return ReplicationSummary(runID: runID, targetPath: plan.targetPath, startedAt: started,
                                  seconds: (ContinuousClock.now - clock).seconds, tables: all)
    }

    /// Copies one table; never throws: a failure becomes a failed outcome (and a failed run record).
    func copy(_ planned: PlannedTable, into database: Database) async -> ReplicationSummary.TableOutcome {
        let started = Date(), clock = ContinuousClock.now
        var table = planned
        progress?.started(table)
        var record = RunRecords.Record(runID: runID, source: table.source, target: table.target, startedAt: started,
                                       finishedAt: started, rows: 0, bytes: 0, strategy: table.strategy,
                                       sourceVersion: table.version, status: "succeeded", error: nil)
        record.mode = table.sync.mode
        record.sourcePin = table.pinText
        record.fallbackReason = table.sync.fullCopyReason
        var transfer = TableTransfer()
        do {
            try Task.checkCancellation()   // interrupted before this table started: it stays as it was
            if let why = table.resume.discarded {
                logger.warning("saved progress discarded", metadata: ["table": "\(table.source)", "reason": "\(why)"])
                transfer.resumeNote = "saved progress discarded: \(why)"
                // A full copy replaces it in its first transaction; any other run removes it now.
                if let saved = table.resume.saved, !table.isResumable || table.sync.isIncremental {
                    try ProgressStore.discard(saved, schema: table.targetSchema, database: database)
                }
            }
            var changes: ChangeCounts?
            if table.sync.isIncremental {
                do {
                    changes = try await copyChanges(table, into: database, record: &record, transfer: &transfer)
                } catch let unavailable as ChangeWindowUnavailable {
                    guard table.sync.allowFallback else { throw unavailable }
                    logger.warning("copying in full", metadata: ["table": "\(table.source)", "reason": "\(unavailable.reason)"])
                    table.sync.fullCopyReason = unavailable.reason
                    table.sync.previous = nil
                    record.fallbackReason = unavailable.reason
                    record.versionFrom = nil
                }
            }
            if !table.sync.isIncremental {
                try await copyInFull(table, into: database, record: &record, transfer: &transfer)
                changes = table.sync.keepsState ? ChangeCounts(inserted: record.rows) : nil
            }
            record.changes = changes
            var outcome = ReplicationSummary.TableOutcome(source: table.source, target: table.target, strategy: table.strategy,
                                                          status: "succeeded", rows: record.rows, bytes: transfer.bytes,
                                                          seconds: (ContinuousClock.now - clock).seconds,
                                                          sourceVersion: table.version, error: nil)
            outcome.mode = table.sync.mode
            outcome.sourcePin = table.pinText
            outcome.versionFrom = record.versionFrom
            outcome.rowsInserted = changes?.inserted
            outcome.rowsUpdated = changes?.updated
            outcome.rowsDeleted = changes?.deleted
            outcome.fullCopyReason = table.sync.fullCopyReason
            outcome.resumeNote = transfer.resumeNote
            logger.info("table copied", metadata: ["table": "\(table.source)", "rows": "\(record.rows)", "strategy": "\(table.strategy)",
                                                   "mode": "\(table.sync.mode)"])
            progress?.finished(table, outcome)
            return outcome
        } catch {
            let message = Task.isCancelled ? "interrupted" : describe(error)
            // Saved progress stays for the next run (which reads on from this statement's result while the
            // warehouse keeps it), unless its rows failed a check; a copy that failed before reaching its
            // result keeps the saved copy it was to continue.
            let keepsProgress = !(error is LoadError) && (transfer.checkpoints.map(\.hasSaved) ?? (table.resume.from != nil))
            if let statementID = transfer.statementID, !keepsProgress { try? await source.cancel(statementID: statementID) }
            record.status = "failed"
            record.error = message
            record.bytes = transfer.bytes
            record.finishedAt = Date()
            await transfer.writer?.abort(record: record, keepProgress: keepsProgress)
            var outcome = ReplicationSummary.TableOutcome(source: table.source, target: table.target, strategy: table.strategy,
                                                          status: "failed", rows: 0, bytes: transfer.bytes,
                                                          seconds: (ContinuousClock.now - clock).seconds,
                                                          sourceVersion: table.version, error: message)
            outcome.mode = table.sync.mode
            outcome.sourcePin = table.pinText
            outcome.resumeNote = transfer.resumeNote
            logger.error("table failed", metadata: ["table": "\(table.source)", "error": "\(message)"])
            progress?.finished(table, outcome)
            return outcome
        }
    }

    /// The whole table at its pinned version into a staging table, swapped for the copy.
    func copyInFull(_ table: PlannedTable, into database: Database, record: inout RunRecords.Record,
                    transfer: inout TableTransfer) async throws {
        if table.sync.mode == .merge || table.sync.mode == .cdf { try await checkKeyIsUnique(table) }
        let w = try TableWriter(database: database, plan: table, runID: runID, observer: observer)
        transfer.writer = w
        try await withTaskCancellationHandler {
            let manifestRows = table.isResumable
                ? try await loadResumably(table, into: w, transfer: &transfer)
                : try await load(table, into: w, expectedRows: table.rowCount, progressOf: table, transfer: &transfer)
            record.bytes = transfer.bytes
            // The plan's COUNT(*) when it asked, else the manifest's count of the pinned SELECT.
            record.rows = try await w.finish(expectedRows: table.rowCount ?? manifestRows)
            if table.sync.keepsState { record.changes = ChangeCounts(inserted: record.rows) }
            if plan.settings.verification == .checksum {
                try await verifyChecksums(table, local: { try await w.checksums() })
            }
            try await w.commit(record: record, sync: table.sync)
        } onCancel: {
            w.cancellation.cancel()
        }
        if let statementID = transfer.statementID { try? await source.close(statementID: statementID) }   // frees results early
        transfer.statementID = nil
    }

    /// Runs `read` and loads its rows into the writer's staging table (opening its transaction).
    /// Returns the rows the result holds (the manifest's count).
    func load(_ read: PlannedTable, into w: TableWriter, expectedRows: Int64?, progressOf table: PlannedTable,
              transfer: inout TableTransfer) async throws -> Int64 {
        let result = try await source.execute(request(for: read))
        transfer.statementID = result.statementToFree
        try await loadResult(result, from: 0, of: read, into: w, continuing: false, checkpoints: nil, progressOf: table,
                             transfer: &transfer)
        return result.manifest.totalRowCount
    }

    /// Loads the result's chunks from `first` on into the writer's staging table (opening its
    /// transaction; `continuing`: the staging table holds the earlier chunks' rows), committing at
    /// every checkpoint `checkpoints` calls for.
    func loadResult(_ result: StatementResult, from first: Int, of read: PlannedTable, into w: TableWriter, continuing: Bool,
                    checkpoints: CheckpointTracker?, progressOf table: PlannedTable, transfer: inout TableTransfer) async throws {
        guard result.manifest.columns.count == read.columns.count else {
            throw LoadError.unexpectedPayload("\(result.manifest.columns.count) columns where \(read.columns.count) were selected")
        }
        let chunks = source.chunks(of: result, table: read.source, from: first)
        var iterator = chunks.makeAsyncIterator()
        var rows: Int64 = checkpoints?.progress.rowsDone ?? 0, bytes = transfer.bytes
        let chunkCount = result.manifest.totalChunkCount
        if first < chunkCount { progress?.awaiting(table, chunk: first + 1, of: chunkCount) }
        func advance(_ chunk: ResultChunk) {
            rows += chunk.rowCount
            bytes += Int64(chunk.wireBytes)
            progress?.advanced(table, rows: rows, bytes: bytes)
            if chunk.index + 1 < chunkCount { progress?.awaiting(table, chunk: chunk.index + 2, of: chunkCount) }
        }
        if read.strategy == .streaming, let first = try await iterator.next() {
            let decoded = try ChunkDecoder(observer: observer, table: read.source).arrow(first)
            if chunkCount == 1, !continuing, try await w.appendWhole(schema: decoded.schema, batches: decoded.batches) {
                advance(first)
            } else {
                try await streamByScan(first: (first, decoded.schema, decoded.batches), rest: &iterator, table: read,
                                       writer: w, continuing: continuing, checkpoints: checkpoints, advance: advance)
            }
        } else {
            // Every other strategy, and a streaming table with no rows: chunk by chunk into the writer.
            try await w.begin(strategy: read.strategy, resuming: continuing)
            var next = read.strategy == .streaming ? nil : try await iterator.next()
            while let chunk = next {
                try await w.load(chunk)
                advance(chunk)
                if let checkpoints, checkpoints.loaded(chunk) {
                    try await w.checkpoint(checkpoints.checkpointProgress, strategy: read.strategy)
                    checkpoints.saved()
                }
                next = try await iterator.next()
            }
        }
        transfer.bytes = bytes
    }

    func request(for table: PlannedTable) -> StatementRequest {
        let arrow = table.strategy == .streaming || table.strategy == .parquet
        // A small Arrow result comes inside the statement's response (no download round trip); a
        // large one as links, as before.
        var request = StatementRequest(table.selectSQL, disposition: arrow ? .inlineOrExternalLinks : .externalLinks,
                                       format: arrow ? .arrowStream : .jsonArray,
                                       compression: arrow && plan.settings.compression == .lz4 ? .lz4Frame : .none)
        if let progress {
            request.onWait = { state, elapsed in progress.waiting(table, state: state, elapsed: elapsed) }
        }
        return request
    }

    /// `streaming`: decodes each chunk after `first` (decoded by the caller) and queues its batches for the writer's Arrow-scan
    /// INSERT, which runs meanwhile; waits for room so no more than the download budget is queued.
    /// A checkpoint ends one INSERT (each runs on all of DuckDB's threads), commits, and starts the next.
    func streamByScan(first: (ResultChunk, ArrowSchemaDescription, [RecordBatch]), rest iterator: inout ResultChunks.Iterator,
                      table: PlannedTable, writer: TableWriter, continuing: Bool, checkpoints: CheckpointTracker?,
                      advance: (ResultChunk) -> Void) async throws {
        let decoder = ChunkDecoder(observer: observer, table: table.source)
        let (firstChunk, schema, firstBatches) = first
        var queue = try await writer.beginStreaming(schema: schema, resuming: continuing)
        var head: (ResultChunk, [RecordBatch])? = (firstChunk, firstBatches)
        while true {
            async let inserted = writer.runScan()
            var checkpointDue = false
            do {
                if let pending = head {
                    let (chunk, batches) = pending
                    queue.push(batches, bytes: chunk.memoryBytes)
                    advance(chunk)
                    checkpointDue = checkpoints?.loaded(chunk) ?? false
                    head = nil
                }
                while !checkpointDue, let chunk = try await iterator.next() {
                    // The queue's share of the budget for decoded batches waiting for DuckDB; the client holds the rest.
                    try await queue.waitForRoom(for: chunk.memoryBytes, limit: MemoryBudgetShare.scanQueue(plan.settings.memoryBudgetBytes))
                    guard !queue.isStopped else { break }               // the INSERT failed; its error follows
                    queue.push(try decoder.arrow(chunk).batches, bytes: chunk.memoryBytes)
                    advance(chunk)
                    checkpointDue = checkpoints?.loaded(chunk) ?? false
                }
                queue.finish()
            } catch {
                queue.finish()
                _ = try? await inserted                                 // the download's error is the one to report
                throw error
            }
            _ = try await inserted
            guard checkpointDue, let checkpoints else { return }
            queue = try await writer.checkpointStreaming(checkpoints.checkpointProgress, schema: schema)
            checkpoints.saved()
        }
    }

    /// Compares per-column fingerprints computed by the warehouse and by DuckDB; a difference fails
    /// the table (its previous copy stays) and names the first column that differs.
    func verifyChecksums(_ table: PlannedTable, local: () async throws -> [String?]) async throws {
        guard table.limit == nil else { return }   // a LIMIT sample has no well-defined rows to checksum
        let result = try await source.execute(StatementRequest(ColumnChecksum.databricksSQL(table)))
        var remote: [String?] = []
        for try await chunk in source.chunks(of: result) {
            if case .json(let rows) = chunk.payload, let first = rows.first { remote = first; break }
        }
        let local = try await local()
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
