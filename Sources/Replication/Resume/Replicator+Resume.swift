import Databricks
import Foundation

/// Where a resumable copy starts: the result it reads, from which chunk, and what is saved so far.
struct CopyStart {
    var result: StatementResult
    var progress: CopyProgress
    /// The staging table already holds `progress.rowsDone` rows, committed by an earlier run.
    var continuing: Bool
    /// Why a saved copy could not continue and this one starts over.
    var restartReason: String?
}

extension Replicator {
    /// A full copy that saves its progress at every checkpoint and continues a saved one: the rows
    /// of the chunks already copied stay in the staging table; only the others are fetched.
    /// Returns the rows the result holds (the manifest's count).
    func loadResumably(_ table: PlannedTable, into w: TableWriter, transfer: inout TableTransfer) async throws -> Int64 {
        let start = try await startCopy(table, writer: w)
        transfer.statementID = start.result.statementToFree
        let saved = start.progress
        if let reason = start.restartReason {
            transfer.resumeNote = "started over: \(reason)"
            logger.warning("copying from the first row", metadata: ["table": "\(table.source)", "reason": "\(reason)"])
        } else if start.continuing {
            transfer.resumeNote = "resumed after \(saved.rowsDone) of \(saved.totalRows) rows (chunk \(saved.chunksDone) of \(saved.chunks.count))"
            logger.info("resuming", metadata: ["table": "\(table.source)", "rows": "\(saved.rowsDone)", "chunk": "\(saved.chunksDone)"])
        }
        // Without every chunk's place in the manifest a saved prefix could not be checked: no checkpoints.
        let layoutKnown = saved.chunks.count == start.result.manifest.totalChunkCount
        let tracker = CheckpointTracker(progress: saved, interval: layoutKnown ? table.checkpointEvery : .off,
                                        continuing: start.continuing)
        transfer.checkpoints = tracker
        try await loadResult(start.result, from: start.continuing ? saved.chunksDone : 0, of: table, into: w,
                             continuing: start.continuing, checkpoints: tracker, progressOf: table, transfer: &transfer)
        return start.result.manifest.totalRowCount
    }

    /// The result to read: the saved statement's while the warehouse still serves it; else the same
    /// query run again, continued only when its chunks start exactly as the saved ones did.
    func startCopy(_ table: PlannedTable, writer: TableWriter) async throws -> CopyStart {
        let request = request(for: table)
        guard let saved = table.resume.from else {
            return fresh(try await source.execute(request), table: table, reason: nil)
        }
        guard await writer.holdsSavedRows(saved.rowsDone) else {
            return fresh(try await source.execute(request), table: table,
                         reason: "the staging table does not hold the \(saved.rowsDone) saved rows")
        }
        if let served = try await source.servedResult(statementID: saved.statementID, format: request.format,
                                                      disposition: request.disposition),
           Self.layout(of: served) == saved.chunks {
            return CopyStart(result: served, progress: saved, continuing: true)
        }
        let result = try await source.execute(request)
        let layout = Self.layout(of: result)
        guard saved.prefixMatches(layout), result.manifest.totalRowCount == saved.totalRows else {
            return fresh(result, table: table, reason: "the query run again splits its rows into other chunks than the saved copy")
        }
        var progress = saved
        progress.statementID = result.statementID
        progress.chunks = layout
        return CopyStart(result: result, progress: progress, continuing: true)
    }

    private func fresh(_ result: StatementResult, table: PlannedTable, reason: String?) -> CopyStart {
        let staging = StagingTable.resumablePrefix + table.targetTable
        let progress = CopyProgress(target: table.target, source: table.source, version: table.version,
                                    statementID: result.statementID, statementSQL: table.selectSQL,
                                    shape: table.resume.shape ?? RowShape(columns: table.columns, filter: table.filter, mode: table.sync.mode,
                                                                                          strategy: table.strategy, compression: plan.settings.compression),
                                    chunks: Self.layout(of: result), totalRows: result.manifest.totalRowCount,
                                    stagingTable: staging)
        return CopyStart(result: result, progress: progress, continuing: false, restartReason: reason)
    }

    /// The result's chunks in order, as its manifest lays them out.
    static func layout(of result: StatementResult) -> [ChunkSpan] {
        result.manifest.chunks.sorted { $0.index < $1.index }.map { ChunkSpan(rowOffset: $0.rowOffset, rowCount: $0.rowCount) }
    }
}
