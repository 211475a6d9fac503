import Databricks
import DuckDB
import Timing

/// `batch`: JSON_ARRAY rows gathered into DuckDB data chunks of text columns and appended to a
/// query appender whose query is one `INSERT … SELECT` converting them to the exact types; it runs
/// every `chunk_size` rows over the rows appended since. The seed's `pandas` level (DataFrame
/// chunks), without pandas. The text rows stay in DuckDB's appender buffer: no landing table to
/// write and empty again.
final class BatchRowSink: RowSink {
    private let appender: Appender
    private let chunk: DataChunk
    private var pendingRows = 0
    private let batchRows: Int
    private let width: Int

    init(connection: Connection, staging: StagingTable) throws {
        batchRows = max(staging.plan.chunkSize, 1)
        width = staging.plan.columns.count
        let relation = "_dbduck_landing"
        let insert = "INSERT INTO \(staging.qualified) SELECT \(staging.textConversionList) FROM \(quoteIdentifier(relation))"
        appender = try connection.appender(query: insert, relation: relation,
                                           columns: staging.plan.columns.map { ($0.name, .varchar) })
        chunk = try appender.makeChunk()
    }

    func append(_ result: ResultChunk, observer: (any TransferObserver)?, table: String) throws -> Int {
        let rows = try ChunkDecoder(observer: observer, table: table).textRows(result)
        for row in rows {
            guard row.count == width else { throw LoadError.unexpectedPayload("a row of \(row.count) values for \(width) columns") }
            let index = chunk.count
            for (column, text) in row.enumerated() { try chunk.set(text: text, column: column, row: index) }
            chunk.count = index + 1
            if chunk.count == DataChunk.capacity { try appendChunk() }
            pendingRows += 1
            if pendingRows >= batchRows { try convert(observer: observer, table: table) }
        }
        return rows.count
    }

    func finish(observer: (any TransferObserver)?, table: String) throws {
        try convert(observer: observer, table: table)
        try appender.close()
    }

    private func appendChunk() throws {
        guard chunk.count > 0 else { return }
        try appender.append(chunk)
        chunk.reset()
    }

    /// Runs the conversion over the rows appended since the last one.
    private func convert(observer: (any TransferObserver)?, table: String) throws {
        guard pendingRows > 0 else { return }
        try appendChunk()
        let rows = pendingRows
        try observer.measure(.convert, table: table, rows: rows) { try appender.flush() }
        pendingRows = 0
    }
}
