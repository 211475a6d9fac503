import Databricks
import Dispatch
import DuckDB
import Synchronization
import Timing

/// `basic`: one prepared INSERT per row, values bound as the text JSON_ARRAY delivers and cast by
/// DuckDB to the exact column types: the row-by-row level the seed starts from.
///
/// A single-row INSERT keeps one core busy inside DuckDB. With more than one row inserter planned,
/// each chunk's rows are shared by that many connections executing their INSERTs at once: the
/// load's own into the staging table, each other into a ``ScratchPart`` in its own transaction.
/// At ``finish(observer:table:)`` the parts commit and the load's transaction copies their rows
/// into the staging table; after a failure they are rolled back. Rows arrive grouped by
/// connection, not in the result's order, which is why a run keeping insertion order plans one.
final class BasicRowSink: RowSink {
    private let database: Database
    private let staging: StagingTable
    private let own: RowInserter
    private let inserters: Int
    private let cancellation: LoadCancellation?
    private var parts: [ScratchPart] = []

    /// Fewer rows than this per connection are not worth a connection, a table and a commit.
    static let rowsPerConnection = 256

    init(connection: Connection, staging: StagingTable, database: Database, cancellation: LoadCancellation? = nil) throws {
        self.database = database
        self.cancellation = cancellation
        self.staging = staging
        own = try RowInserter(connection: connection, into: staging.qualified, columns: staging.plan.columns)
        inserters = max(1, staging.plan.rowInserters)
    }

    func append(_ chunk: ResultChunk, observer: (any TransferObserver)?, table: String) throws -> Int {
        let rows = try ChunkDecoder(observer: observer, table: table).textRows(chunk)
        let width = staging.plan.columns.count
        if let row = rows.first(where: { $0.count != width }) {
            throw LoadError.unexpectedPayload("a row of \(row.count) values for \(width) columns")
        }
        let connections = try connections(for: rows.count)
        let stop = Atomic<Bool>(false)
        guard connections.count > 1 else {
            try own.insert(rows[...], stop: stop, cancellation: cancellation)
            return rows.count
        }
        let shares = Shares(inserters: connections)
        let cancellation = cancellation
        let failures = Mutex<[(share: Int, error: any Error)]>([])
        DispatchQueue.concurrentPerform(iterations: connections.count) { share in
            let range = (rows.count * share / shares.count)..<(rows.count * (share + 1) / shares.count)
            do {
                try shares.inserters[share].insert(rows[range], stop: stop, cancellation: cancellation)
            } catch {
                stop.store(true, ordering: .relaxed)
                failures.withLock { $0.append((share, error)) }
            }
        }
        // The load's own connection first: its error is the one an interrupt raises.
        if let failure = failures.withLock({ $0.min { $0.share < $1.share } }) { throw failure.error }
        return rows.count
    }

    /// The connections sharing `rows` rows: the load's own, and as many parts as have enough rows.
    private func connections(for rows: Int) throws -> [RowInserter] {
        let useful = min(inserters, max(1, rows / Self.rowsPerConnection))
        while parts.count + 1 < useful { parts.append(try ScratchPart(database: database, staging: staging)) }
        return [own] + parts.prefix(useful - 1).map(\.inserter)
    }

    func finish(observer: (any TransferObserver)?, table: String) throws {
        guard !parts.isEmpty else { return }
        for part in parts { try part.commit() }
        try observer.measure(.load, table: table, detail: "rows of \(parts.count + 1) connections") {
            for part in parts { try own.connection.execute("INSERT INTO \(staging.qualified) SELECT * FROM \(part.qualified)") }
        }
        discard()
    }

    func discard() {
        for part in parts { part.discard() }
        parts = []
    }
}

/// The connections sharing one chunk, handed to the threads inserting it. Unchecked: share `i`
/// uses only `inserters[i]`, and the chunk's append waits for every share before going on.
private struct Shares: @unchecked Sendable {
    let inserters: [RowInserter]
    var count: Int { inserters.count }
}
