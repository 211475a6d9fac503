import ArrowIPC
import Databricks
import DuckDB
import Foundation
import Timing

/// The incremental side of a table's load: the staged window is applied to the copy instead of
/// replacing it, and the sync state is written in the same transaction.
extension TableWriter {
    /// After a full copy's swap: the soft-delete column, the key check and the state a mode keeps.
    func settleFullCopy(_ sync: SyncPlan) throws {
        let plan = staging.plan
        guard sync.keepsState else {
            if plan.targetHasSyncState { try SyncStateStore.remove(target: plan.target, connection, catalog: staging.catalog) }
            return
        }
        if sync.deletes == .soft {
            try connection.execute("ALTER TABLE \(staging.target) ADD COLUMN \(quoteIdentifier(DeletePolicy.deletedAtColumn)) TIMESTAMPTZ")
        }
        try SyncStateStore.write(state(for: plan, sync: sync), connection, catalog: staging.catalog)
    }

    /// Appends the Arrow batches of a key-set chunk (merge's delete detection).
    func loadKeys(_ chunk: ResultChunk) throws {
        let keys = self.keys ?? KeySetTable(connection: connection, runID: staging.runID)
        self.keys = keys
        let batches = try ChunkDecoder(observer: observer, table: staging.plan.source).arrow(chunk).batches
        try observer.measure(.load, table: staging.plan.source, rows: Int(chunk.rowCount), detail: "keys chunk \(chunk.index)") {
            try keys.append(batches, keyNames: staging.plan.sync.primaryKey)
        }
    }

    /// Applies the staged window to the copy of `table` (the table's plan, not the read's) and
    /// checks the copy's row count where the mode defines it. Returns what changed.
    func applyChanges(to table: PlannedTable) throws -> ChangeCounts {
        let sync = table.sync
        let applier = ChangeApplier(connection: connection, staging: staging, sync: sync, columns: table.columns)
        return try observer.measure(.commit, table: table.source, detail: "apply \(sync.mode)") { () throws -> ChangeCounts in
            try applier.addColumns(sync.addedColumns)
            let liveBefore = try liveRows()
            var counts = ChangeCounts()
            // The source's row count at the version, when this run read it anyway (merge's key set).
            var sourceRows: Int64?
            switch sync.mode {
            case .cdf:
                counts = try applier.applyChangeFeed(table: table)
            case .merge:
                try applier.checkKeyIsUnique(in: staging.qualified, source: table.source)
                if let keys {
                    try keys.finish(columns: IncrementalRead.keys(of: table).columns)
                    sourceRows = Int64(keys.rows)
                }
                defer { keys?.drop(); keys = nil }
                if try applier.rewrites(windowRows: applier.count("SELECT count(*) FROM \(staging.qualified)")) {
                    counts = try applier.rewrite(table: table, upserts: staging.qualified, removed: nil, kept: keys?.relation)
                } else {
                    let gone = try keys.flatMap { try applier.keysMissing(from: $0.relation) }
                    keys?.drop()
                    defer { if let gone { try? connection.execute("DROP TABLE IF EXISTS \(gone)") } }
                    counts = try applier.upsert(from: staging.qualified)
                    if let gone { counts.deleted = try applier.delete(keysIn: gone, at: "now()") }
                }
            case .append:
                guard let cursor = sync.cursor, let column = table.columns.first(where: { $0.name == cursor }) else {
                    throw LoadError.unexpectedPayload("an append without a cursor")
                }
                counts = try applier.append(cursor: column, bookmark: sync.previous?.bookmark)
            case .full, .auto:
                throw LoadError.notStarted
            }
            try connection.execute("DROP TABLE IF EXISTS \(staging.qualified)")
            try verifyCopyCount(table, expected: table.rowCount ?? sourceRows ?? liveBefore + counts.inserted - counts.deleted)
            return counts
        }
    }

    /// The copy's live rows (soft-deleted rows left out).
    private func liveRows() throws -> Int64 {
        let live = staging.plan.sync.deletes == .soft ? " WHERE \(quoteIdentifier(DeletePolicy.deletedAtColumn)) IS NULL" : ""
        return Int64(try connection.scalar("SELECT count(*) FROM \(staging.target)\(live)")?.integerValue ?? -1)
    }

    /// Where the mode defines it, the copy must hold exactly the expected rows: the warehouse's at
    /// the version when the run asked it (a checksum verification, merge's key set), else the copy's
    /// rows before the apply plus those it inserted minus those it deleted, counted again after.
    private func verifyCopyCount(_ table: PlannedTable, expected: Int64) throws {
        let sync = table.sync
        guard table.limit == nil, sync.mode != .append, sync.deletes != .ignore else { return }
        let count = try liveRows()
        guard count == expected else { throw LoadError.copyCountMismatch(expected: expected, got: count) }
    }

    /// Writes the state and the run record, and commits.
    func commitIncremental(record: RunRecords.Record, table: PlannedTable) throws {
        try observer.measure(.commit, table: table.source) {
            try SyncStateStore.write(state(for: table, sync: table.sync), connection, catalog: staging.catalog)
            var record = record
            record.finishedAt = Date()
            try RunRecords.insert(record, connection, catalog: staging.catalog)
            try connection.execute("COMMIT")
            inTransaction = false
        }
    }

    /// The copy's per-column fingerprint (live rows only), for `--verify checksum` after an apply.
    func copyChecksums(_ table: PlannedTable) throws -> [String?] {
        let live = table.sync.deletes == .soft ? " WHERE \(quoteIdentifier(DeletePolicy.deletedAtColumn)) IS NULL" : ""
        let relation = "(SELECT * FROM \(staging.target)\(live))"
        let row = try observer.measure(.verify, table: table.source, detail: "checksum") {
            try connection.query(ColumnChecksum.duckDBSQL(table, relation: relation)).rows().first ?? []
        }
        return row.map { value in value.isNull ? nil : value.integerValue.map { String($0) } ?? "\(value)" }
    }

    private func state(for table: PlannedTable, sync: SyncPlan) throws -> SyncState {
        var bookmark: String?
        if let cursor = sync.cursor, let column = table.columns.first(where: { $0.name == cursor }) {
            bookmark = try connection.scalar(IncrementalRead.bookmarkSQL(cursor: column, relation: staging.target))?.stringValue
        }
        return SyncState(target: table.target, source: table.source, mode: sync.mode, version: table.version,
                         cursor: sync.cursor, bookmark: bookmark, primaryKey: sync.primaryKey, deletes: sync.deletes,
                         tableID: sync.tableID, columns: SchemaFingerprint.columns(table.columns))
    }
}
