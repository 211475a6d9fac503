import Databricks
import DuckDB
import Timing

/// `batch`: JSON_ARRAY rows gathered into DuckDB data chunks and appended to a landing table of
/// text columns; every `chunk_size` rows one `INSERT … SELECT` converts them to the exact types.
/// The seed's `pandas` level (DataFrame chunks), without pandas.
final class BatchRowSink: RowSink {
    private let connection: Connection
    private let staging: StagingTable
    private let landing: String
    private var appender: Appender?
    private var chunk: DataChunk?
    private var pendingRows = 0
    private let batchRows: Int
    private let width: Int

    init(connection: Connection, staging: StagingTable) throws {
        self.connection = connection
        self.staging = staging
        landing = "_dbduck_landing_\(staging.name)"
        batchRows = max(staging.plan.chunkSize, 1)
        width = staging.plan.columns.count
        let columns = staging.plan.columns.map { "\(quoteIdentifier($0.name)) VARCHAR" }.joined(separator: ", ")
        try connection.execute("CREATE TEMP TABLE \(quoteIdentifier(landing)) (\(columns))")
    }

    func append(_ result: ResultChunk, observer: (any TransferObserver)?, table: String) throws -> Int {
        let rows = try ChunkDecoder(observer: observer, table: table).textRows(result)
        for row in rows {
            guard row.count == width else { throw LoadError.unexpectedPayload("a row of \(row.count) values for \(width) columns") }
            let target = try currentChunk()
            let index = target.count
            for (column, text) in row.enumerated() {
                try target.set(text.map(Value.varchar) ?? .null, column: column, row: index)
            }
            target.count = index + 1
            if target.count == DataChunk.capacity { try appendChunk() }
            pendingRows += 1
            if pendingRows >= batchRows { try convert(observer: observer, table: table) }
        }
        return rows.count
    }

    func finish(observer: (any TransferObserver)?, table: String) throws {
        try convert(observer: observer, table: table)
    }

    private func currentChunk() throws -> DataChunk {
        if let chunk { return chunk }
        let appender = try self.appender ?? connection.appender(table: landing)
        self.appender = appender
        let made = try appender.makeChunk()
        chunk = made
        return made
    }

    private func appendChunk() throws {
        guard let chunk, let appender, chunk.count > 0 else { return }
        try appender.append(chunk)
        chunk.reset()
    }

    /// Converts the landed text rows into the staging table, then empties the landing table.
    private func convert(observer: (any TransferObserver)?, table: String) throws {
        guard pendingRows > 0 else { return }
        try appendChunk()
        try appender?.close()
        appender = nil
        chunk = nil
        let rows = pendingRows
        try observer.measure(.convert, table: table, rows: rows) {
            try connection.execute("INSERT INTO \(staging.qualified) SELECT \(staging.textConversionList) FROM \(quoteIdentifier(landing))")
            try connection.execute("DELETE FROM \(quoteIdentifier(landing))")
        }
        pendingRows = 0
    }
}
