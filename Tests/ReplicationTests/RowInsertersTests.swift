import Databricks
import DuckDB
import Foundation
import Synchronization
import Testing
import Timing
@testable import Replication

/// `basic` with several row inserters: every row lands once and exactly in the table, and the
/// scratch parts of the extra connections leave nothing behind, whether the load commits or fails.
@Suite struct RowInsertersTests {
    static func table(inserters: Int) -> PlannedTable {
        var table = PlannedTable(source: "main.demo.t", targetSchema: "demo", targetTable: "t", columns: [
            PlannedColumn(name: "id", sourceType: "BIGINT", targetType: "BIGINT", nullable: false),
            PlannedColumn(name: "price", sourceType: "DECIMAL(10,2)", targetType: "DECIMAL(10,2)", nullable: true),
            PlannedColumn(name: "s", sourceType: "STRING", targetType: "VARCHAR", nullable: true),
        ], strategy: .basic, strategyReason: "", chunkSize: 1000, version: 3, rowCount: nil)
        table.rowInserters = inserters
        return table
    }

    static func rows(_ ids: Range<Int>, badPriceAt bad: Int? = nil) -> [[String?]] {
        ids.map { id in ["\(id)", id == bad ? "not a number" : id % 7 == 0 ? nil : "\(id).25", "row \(id)"] }
    }

    static func chunk(_ index: Int, _ rows: [[String?]]) -> ResultChunk {
        ResultChunk(index: index, rowOffset: 0, rowCount: Int64(rows.count), wireBytes: 0, payload: .json(rows))
    }

    static func record(_ status: String) -> RunRecords.Record {
        RunRecords.Record(runID: "0123456789abcdef", source: "main.demo.t", target: "demo.t", startedAt: Date(), finishedAt: Date(),
                          rows: 0, bytes: 0, strategy: .basic, status: status)
    }

    func open() throws -> Database {
        let database = try Database(path: ReplicationEndToEndTests.scratchFile())
        try TargetDatabase.prepare(database, schemas: ["demo"])
        return database
    }

    /// The details of the events a load records.
    final class Details: TransferObserver {
        let seen = Mutex<[String]>([])
        func record(_ event: TransferEvent) { seen.withLock { $0.append(event.detail ?? "") } }
    }

    func scratchTables(_ database: Database) throws -> Int128? {
        try database.connect().scalar("SELECT count(*) FROM duckdb_tables() WHERE database_name = '_dbduck_scratch'")?.integerValue
    }

    @Test func rowsSharedByThreeConnectionsLandOnceEach() async throws {
        let database = try open()
        let details = Details()
        let writer = try TableWriter(database: database, plan: Self.table(inserters: 3), runID: "0123456789abcdef", observer: details)
        try await writer.begin(strategy: .basic)
        try await writer.load(Self.chunk(0, Self.rows(0..<1500)))      // shared by three
        try await writer.load(Self.chunk(1, Self.rows(1500..<1600)))   // too few rows to share
        try await writer.load(Self.chunk(2, Self.rows(1600..<2200)))   // shared by two
        #expect(try await writer.finish(expectedRows: 2200) == 2200)
        #expect(details.seen.withLock { $0.contains("rows of 3 connections") })
        try await writer.commit(record: Self.record("succeeded"))

        let check = try database.connect()
        let summary = try check.query("""
            SELECT count(*), count(DISTINCT id), sum(id), count(price), (sum(price) * 100)::BIGINT,
                   count(*) FILTER (WHERE s = 'row ' || id), count(*) FILTER (WHERE price IS NULL AND id % 7 <> 0)
            FROM demo.t
            """).rows().first ?? []
        let expectedPrices = (0..<2200).filter { $0 % 7 != 0 }
        let cents = expectedPrices.reduce(0) { $0 + $1 * 100 + 25 }
        #expect(summary.map { $0.integerValue.map { "\($0)" } ?? "\($0)" } == ["2200", "2200", "\((0..<2200).reduce(0, +))", "\(expectedPrices.count)", "\(cents)", "2200", "0"])
        #expect(try scratchTables(database) == 0)
    }

    @Test func aRowAnotherConnectionCannotInsertFailsTheLoadAndLeavesNothing() async throws {
        let database = try open()
        let writer = try TableWriter(database: database, plan: Self.table(inserters: 3), runID: "0123456789abcdef", observer: nil)
        try await writer.begin(strategy: .basic)
        // Row 1400 falls to the third connection's share.
        await #expect(throws: DatabaseError.self) { try await writer.load(Self.chunk(0, Self.rows(0..<1500, badPriceAt: 1400))) }
        await writer.abort(record: Self.record("failed"))
        #expect(try scratchTables(database) == 0)
        let tables = try database.connect().query("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'demo'").rows()
        #expect(tables.isEmpty, "\(tables)")
    }

    @Test func aCancelledLoadStopsEveryConnection() async throws {
        let database = try open()
        let writer = try TableWriter(database: database, plan: Self.table(inserters: 3), runID: "0123456789abcdef", observer: nil)
        try await writer.begin(strategy: .basic)
        writer.cancellation.cancel()
        await #expect(throws: CancellationError.self) { try await writer.load(Self.chunk(0, Self.rows(0..<1500))) }
        await writer.abort(record: Self.record("failed"))
        #expect(try scratchTables(database) == 0)
    }
}
