import Databricks
import DuckDB
import Foundation
import Timing

/// What one table's transfer holds while it runs, for the failure path to clean up.
struct TableTransfer {
    var writer: TableWriter?
    /// The statement whose results are being read (cancelled on failure, closed on success); nil
    /// when its result came whole in the response.
    var statementID: String?
    var bytes: Int64 = 0
    /// A resumable copy's checkpoints: whether the target holds progress that points at the statement.
    var checkpoints: CheckpointTracker?
    /// What became of saved progress (resumed, started over, discarded), for the summary.
    var resumeNote: String?
}

/// The warehouse cannot serve the incremental window (change feed off for part of it, versions
/// vacuumed or outside the retention): the table is copied in full instead, unless fallback is off.
struct ChangeWindowUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { "\(reason); run with fallback allowed (without --no-fallback) or --full-refresh to copy it in full" }

    /// Databricks' error classes for a change-feed range it cannot read.
    static let errorClasses = ["DELTA_MISSING_CHANGE_DATA", "DELTA_VERSION_NOT_FOUND", "DELTA_CHANGE_DATA_FILE_NOT_FOUND",
                               "DELTA_FILE_NOT_FOUND_DETAILED", "DELTA_CDC_START_VERSION_AFTER_LATEST",
                               "DELTA_INVALID_CDC_RANGE", "DELTA_CHANGE_TABLE_FEED_DISABLED", "DELTA_CANNOT_TIME_TRAVEL_VERSIONS"]

    init?(_ error: StatementError, window: String) {
        let text = "\(error.errorCode ?? "") \(error.message)"
        guard let found = Self.errorClasses.first(where: { text.contains($0) }) else { return nil }
        reason = "the change data feed cannot serve \(window) (\(found))"
    }
}

extension Replicator {
    /// Moves only what changed in `table`'s window into the copy, in one transaction with its state
    /// and run record. Returns what changed; a window with no new version moves nothing.
    func copyChanges(_ table: PlannedTable, into database: Database, record: inout RunRecords.Record,
                     transfer: inout TableTransfer) async throws -> ChangeCounts {
        let sync = table.sync
        let previousVersion = sync.previous?.version
        if sync.mode == .cdf, let before = previousVersion, let now = table.version {
            record.versionFrom = before + 1
            if now <= before && sync.addedColumns.isEmpty {
                logger.info("no new version", metadata: ["table": "\(table.source)", "version": "\(now)"])
                // Nothing to read and the state stays as it is; the run is still on record.
                record.changes = ChangeCounts()
                record.finishedAt = Date()
                try RunRecords.insert(record, database)
                return ChangeCounts()
            }
        } else {
            record.versionFrom = previousVersion
        }
        let read = IncrementalRead.changes(of: table)
        let w = try TableWriter(database: database, plan: read, runID: runID, observer: observer)
        transfer.writer = w
        let counts = try await withTaskCancellationHandler { () async throws -> ChangeCounts in
            let staged: Int64
            do {
                staged = try await load(read, into: w, expectedRows: nil, progressOf: table, transfer: &transfer)
            } catch let error as StatementError {
                let window = "versions \(record.versionFrom.map(String.init) ?? "?") to \(table.version.map(String.init) ?? "?")"
                if sync.mode == .cdf, let unavailable = ChangeWindowUnavailable(error, window: window) {
                    transfer.writer = nil
                    transfer.statementID = nil
                    throw unavailable
                }
                throw error
            }
            _ = try await w.finish(expectedRows: staged)
            if sync.mode == .merge, sync.deletes != .ignore {
                try await loadKeys(of: table, into: w, transfer: &transfer)
            }
            let counts = try await w.applyChanges(to: table)
            record.bytes = transfer.bytes
            record.rows = staged
            if plan.settings.verification == .checksum {
                try await verifyChecksums(table, local: { try await w.copyChecksums(table) })
            }
            record.changes = counts
            try await w.commitIncremental(record: record, table: table)
            return counts
        } onCancel: {
            w.cancellation.cancel()
        }
        if let statementID = transfer.statementID { try? await source.close(statementID: statementID) }
        transfer.statementID = nil
        return counts
    }

    /// The first copy of a keyed mode: the warehouse checks the key is unique at the version before
    /// any row moves (a whole-table GROUP BY is its work, not a small target's memory).
    func checkKeyIsUnique(_ table: PlannedTable) async throws {
        let keys = table.sync.primaryKey.map(TableName.quoteBackticks).joined(separator: ", ")
        let texts = table.sync.primaryKey.map { "CAST(\(TableName.quoteBackticks($0)) AS STRING)" }.joined(separator: ", ")
        var sql = "SELECT \(texts), CAST(count(*) AS STRING) FROM \(table.sourceName.quoted)"
        if let version = table.version { sql += " VERSION AS OF \(version)" }
        if let filter = table.filter { sql += " WHERE \(filter)" }
        sql += " GROUP BY \(keys) HAVING count(*) > 1 LIMIT 1"
        let result = try await source.execute(StatementRequest(sql))
        for try await chunk in source.chunks(of: result, table: table.source) {
            guard case .json(let rows) = chunk.payload, let row = rows.first else { continue }
            let value = zip(table.sync.primaryKey, row).map { "\($0) = \($1 ?? "NULL")" }.joined(separator: ", ")
            throw LoadError.duplicateKey("the key (\(table.sync.primaryKey.joined(separator: ", "))) is not unique in \(table.source): \(value) appears \(row.last.flatMap { $0 } ?? "more than once") times. Choose a unique key with `primary_key:`.")
        }
    }

    /// The key columns of every source row at the pinned version, for `merge`'s delete detection.
    private func loadKeys(of table: PlannedTable, into w: TableWriter, transfer: inout TableTransfer) async throws {
        let read = IncrementalRead.keys(of: table)
        let request = StatementRequest(read.selectSQL, disposition: .externalLinks, format: .arrowStream,
                                       compression: plan.settings.compression == .lz4 ? .lz4Frame : .none)
        let result = try await source.execute(request)
        if let previous = transfer.statementID { try? await source.close(statementID: previous) }
        transfer.statementID = result.statementID
        for try await chunk in source.chunks(of: result, table: table.source) {
            try await w.loadKeys(chunk)
            transfer.bytes += Int64(chunk.wireBytes)
        }
    }
}
