import ArrowIPC
import Databricks
import DuckDB
import Foundation
import Timing

/// `streaming` through one Arrow scan per table: a view over a stream of the table's record batches
/// is created (committed) in a private in-memory database before the load's transaction begins; the
/// transaction then runs a single `INSERT INTO staging SELECT … FROM` that view, which pulls the
/// batches as the downloads deliver them, converting and inserting on all of DuckDB's threads.
///
/// Why not a view per chunk inside the transaction: DuckDB logs a view created there with the
/// transaction and the commit fails ("Cannot serialize a table function with process-local bind
/// input"). Reading another attached database inside the transaction is allowed; only the target is
/// written. Why a scan at all: `bench/arrow-ingest` shows it keeping pace with DuckDB's own Parquet
/// ingest, while one appender (one thread) is far slower.
final class StreamingScan {
    let queue: ScanBatchQueue
    private let connection: Connection
    /// The database's scratch catalog (``Database/scratchCatalog()``), where the view lives.
    private let scratchCatalog: String
    private let view: ArrowScanView
    private let failure = FailureBox()
    let selectList: String

    /// Creates the view (autocommit, before the transaction) and works out the conversion from the
    /// stream's DuckDB types to the staging table's planned types.
    init(connection: Connection, staging: StagingTable, schema: ArrowSchemaDescription, scratchCatalog: String,
         observer: (any TransferObserver)? = nil) throws {
        self.connection = connection
        self.scratchCatalog = scratchCatalog
        queue = ScanBatchQueue(observer: observer)
        // The view is created in the connection's default catalog.
        try connection.execute("USE \(quoteIdentifier(scratchCatalog))")
        let queue = self.queue, failure = self.failure
        // On DuckDB's threads, one call at a time, while the INSERT runs.
        let source = ArrowStreamSource.batches(schema: schema, failure: failure) { queue.pop() }
        do {
            view = try connection.createArrowScanView(named: "stream_\(staging.name)", source: source)
            try connection.execute("USE \(quoteIdentifier(staging.catalog))")
        } catch {
            try? connection.execute("USE \(quoteIdentifier(staging.catalog))")   // the view's error is the one to report
            throw error
        }
        let exportedSchema = schema.exportToC()
        let arrowTypes = try withExtendedLifetime(exportedSchema) {   // the pointer lives as long as its owner
            try connection.logicalTypes(forArrowSchema: exportedSchema.schemaPointer).map(\.type)
        }
        guard arrowTypes.count == staging.plan.columns.count else {
            throw LoadError.unexpectedPayload("Arrow batches of \(arrowTypes.count) columns for \(staging.plan.columns.count)")
        }
        selectList = zip(zip(staging.plan.columns, schema.fields), arrowTypes).map { pair, arrow in
            let (column, field) = pair
            let input = quoteIdentifier(field.name)
            if arrow == .varchar, let type = column.databricksType, type != .string {
                return TextConversion.expression(input, as: type)    // VARIANT text, nested values as JSON strings
            }
            return "CAST(\(input) AS \(column.targetType))"          // a no-op where the types already agree
        }.joined(separator: ", ")
    }

    var qualifiedView: String {
        "\(quoteIdentifier(scratchCatalog)).main.\(quoteIdentifier(view.name))"
    }

    /// Runs the INSERT until the queue finishes; returns the rows inserted.
    func insert(into staging: StagingTable) throws -> Int {
        defer { queue.stop() }
        let result = try connection.query("INSERT INTO \(staging.qualified) SELECT \(selectList) FROM \(qualifiedView)")
        if let error = failure.get() { throw error }
        return result.rowsChanged
    }

    /// Drops the view (after the transaction ended).
    func drop() {
        try? connection.execute("DROP VIEW IF EXISTS \(qualifiedView)")   // in-memory scratch: nothing persists anyway
    }
}

/// The first error raised on DuckDB's scan threads.
extension ArrowStreamSource {
    /// A stream of `schema`'s batches that `next` hands out, moved to DuckDB through the C Data
    /// Interface; a batch that cannot be exported ends the stream and is kept in `failure`.
    static func batches(schema: ArrowSchemaDescription, failure: FailureBox,
                        next: @escaping () -> RecordBatch?) -> ArrowStreamSource {
        ArrowStreamSource(schema: { out in
            let exported = schema.exportToC()
            out.pointee = exported.schemaPointer.pointee
            exported.schemaPointer.pointee.release = nil            // moved to DuckDB
        }, next: { out in
            guard let batch = next() else { return false }
            do {
                let exported = try batch.exportToC()
                out.pointee = exported.arrayPointer.pointee
                exported.arrayPointer.pointee.release = nil         // moved to DuckDB
                return true
            } catch {
                failure.set(error)
                return false
            }
        })
    }
}

final class FailureBox: @unchecked Sendable {
    // @unchecked Sendable: `error` is only touched under `lock`.
    private let lock = NSLock()
    private var error: (any Error)?
    func set(_ e: any Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    func get() -> (any Error)? { lock.lock(); defer { lock.unlock() }; return error }
}
