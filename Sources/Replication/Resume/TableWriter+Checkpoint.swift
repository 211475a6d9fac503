import ArrowIPC
import DuckDB

/// A resumable copy's transactions: each checkpoint commits the rows loaded so far together with
/// the progress record that counts them, and opens the next transaction, so a failure or a kill
/// rolls back to the last checkpoint and never past it.
extension TableWriter {
    /// Whether the saved staging table is there and holds exactly `rows` rows.
    func holdsSavedRows(_ rows: Int64) -> Bool {
        guard let count = try? connection.scalar("SELECT count(*) FROM \(staging.qualified)")?.integerValue else { return false }
        return Int64(count) == rows
    }

    /// Inside the just-opened transaction: a fresh copy replaces any staging table and progress left
    /// by an earlier run; a continuing copy keeps both.
    func prepareStaging(resuming: Bool) throws {
        guard !resuming else { return }
        if staging.plan.isResumable {
            try connection.execute("DROP TABLE IF EXISTS \(staging.qualified)")
            try removeProgress()
        }
        try connection.execute(staging.createSQL)
    }

    /// `basic`, `batch`, `parquet`: moves what the sink holds into the staging table, saves
    /// `progress` and commits; the next rows go into a new transaction.
    func checkpoint(_ progress: CopyProgress, strategy: LoadStrategy) throws {
        guard let sink else { throw LoadError.notStarted }
        let table = staging.plan.source
        try observer.measure(.commit, table: table, detail: "checkpoint after chunk \(progress.chunksDone)") {
            try sink.finish(observer: observer, table: table)
            try commitProgress(progress)
        }
        // A finished sink is spent (its appender closed, its staged files removed): the next interval
        // gets its own, inside the new transaction.
        try makeSink(strategy)
    }

    /// `streaming`, after the segment's scan INSERT returned: saves `progress`, commits, and starts
    /// the next segment's scan; feed the returned queue while ``runScan()`` runs again.
    func checkpointStreaming(_ progress: CopyProgress, schema: ArrowSchemaDescription) throws -> ScanBatchQueue {
        try observer.measure(.commit, table: staging.plan.source, detail: "checkpoint after chunk \(progress.chunksDone)") {
            try saveProgress(progress)
            try connection.execute("COMMIT")
            inTransaction = false
        }
        // The scan's view is created outside a transaction (see StreamingScan), so between the two.
        scan?.drop()
        scan = nil
        let next = try StreamingScan(connection: connection, staging: staging, schema: schema,
                                     scratchCatalog: try database.scratchCatalog(), observer: observer)
        scan = next
        try connection.execute("BEGIN TRANSACTION")
        inTransaction = true
        return next.queue
    }

    private func commitProgress(_ progress: CopyProgress) throws {
        try saveProgress(progress)
        try connection.execute("COMMIT")
        try connection.execute("BEGIN TRANSACTION")
    }

    private func saveProgress(_ progress: CopyProgress) throws {
        try ProgressStore.write(progress, connection, catalog: staging.catalog)
        progressMayBeSaved = true
    }

    /// Removes this table's saved progress, if there may be any.
    func removeProgress() throws {
        guard progressMayBeSaved else { return }
        try ProgressStore.remove(target: staging.plan.target, connection, catalog: staging.catalog)
        progressMayBeSaved = false
    }

    /// Drops the saved staging table and its progress, in a transaction of its own.
    func discardSavedCopy() throws {
        try connection.execute("BEGIN TRANSACTION")
        do {
            try connection.execute("DROP TABLE IF EXISTS \(staging.qualified)")
            try ProgressStore.remove(target: staging.plan.target, connection, catalog: staging.catalog)
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }
}
