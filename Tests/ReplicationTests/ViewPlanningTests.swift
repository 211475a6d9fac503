import Foundation
import Replication
import Testing

/// How the planner treats a view (no Delta version to pin) and names that need quoting, against a
/// catalog that records what it was asked.
@Suite struct ViewPlanningTests {
    struct WarehouseSaid: Error, CustomStringConvertible { var description: String }

    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private var calls: [String] = []
        func note(_ call: String) { lock.lock(); calls.append(call); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return calls }
    }

    struct FakeCatalog: WarehouseCatalog {
        var kind: SourceKind
        /// What `DESCRIBE HISTORY` answers: a version, or the warehouse's error for a view.
        var history: Result<Int64, WarehouseSaid>
        let recorder = Recorder()

        func catalogs() async throws -> [String] { ["main"] }
        func schemas(in catalog: String) async throws -> [String] { ["s"] }
        func tables(in catalog: String, schema: String) async throws -> [String] { ["v"] }
        func describe(_ table: TableName) async throws -> SourceTable {
            recorder.note("describe \(table)")
            return SourceTable(columns: [SourceColumn(name: "id", typeText: "bigint")], kind: kind)
        }
        func currentVersion(of table: TableName) async throws -> Int64? {
            recorder.note("history \(table)")
            return try history.get()
        }
        func detail(of table: TableName) async throws -> SourceDetail {
            recorder.note("detail \(table)")
            return SourceDetail(sizeBytes: 10, numFiles: 1)
        }
        func scalarInteger(_ sql: String) async throws -> Int64 {
            recorder.note(sql)
            return 3
        }
    }

    static let notAView = WarehouseSaid(description: "[EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE] 'DESCRIBE HISTORY' expects a table but `main`.`s`.`v` is a view. SQLSTATE: 42809")

    func plan(_ catalog: FakeCatalog, progress: [String: CopyProgress] = [:], depth: Planner.Depth = .display) async throws -> ReplicationPlan {
        let config = ReplicationConfig(tables: [TableSelection(name: "main.s.v")])
        return try await Planner(catalog: catalog, config: config, targetPath: "t.duckdb", progress: progress, depth: depth).plan()
    }

    @Test func aViewIsReadWithoutVersionHistoryOrDetail() async throws {
        let catalog = FakeCatalog(kind: .view, history: .failure(Self.notAView))
        let plan = try await plan(catalog)
        let table = try #require(plan.tables.first)
        #expect(table.version == nil)
        #expect(table.sourceKind == .view)
        #expect(table.pin == "not pinned")
        #expect(table.selectSQL == "SELECT `id` FROM `main`.`s`.`v`")
        #expect(table.countSQL == "SELECT COUNT(*) FROM `main`.`s`.`v`")
        #expect(!table.isResumable, "a view cannot continue a saved copy")
        #expect(catalog.recorder.all == ["describe main.s.v", "SELECT COUNT(*) FROM `main`.`s`.`v`"])
        #expect(PlanRenderer.text(plan).contains("main.s.v @not pinned (view) -> s.v"))
    }

    @Test func theWarehouseSayingViewIsEnoughWhenUnityCatalogDidNot() async throws {
        // The SQL fallback (DESCRIBE TABLE) carries no table type; DESCRIBE HISTORY's error tells.
        let catalog = FakeCatalog(kind: .table, history: .failure(Self.notAView))
        let table = try #require(try await plan(catalog, depth: .copy).tables.first)
        #expect(table.sourceKind == .view)
        #expect(table.version == nil)
        #expect(table.pin == "not pinned")
    }

    @Test func anotherHistoryFailureStillFailsTheTable() async throws {
        let catalog = FakeCatalog(kind: .table, history: .failure(WarehouseSaid(description: "[TABLE_OR_VIEW_NOT_FOUND] gone")))
        await #expect {
            _ = try await plan(catalog, depth: .copy)
        } throws: { error in
            "\(error)".contains("main.s.v: cannot read its Delta version: [TABLE_OR_VIEW_NOT_FOUND] gone")
        }
    }

    @Test func savedProgressOfAViewIsDiscardedAndTheCopyStartsOver() async throws {
        let catalog = FakeCatalog(kind: .view, history: .failure(Self.notAView))
        let first = try #require(try await plan(catalog, depth: .copy).tables.first)
        let saved = CopyProgress(target: "s.v", source: "main.s.v", version: nil, statementID: "01",
                                 statementSQL: first.selectSQL, shape: try #require(first.resume.shape),
                                 chunks: [ChunkSpan(rowOffset: 0, rowCount: 2), ChunkSpan(rowOffset: 2, rowCount: 2)],
                                 totalRows: 4, chunksDone: 1, rowsDone: 2, stagingTable: "_dbduck_resume_v")
        let table = try #require(try await plan(catalog, progress: ["s.v": saved], depth: .copy).tables.first)
        #expect(table.resume.from == nil)
        #expect(table.resume.discarded?.contains("no Delta version to pin") == true, "\(table.resume)")
    }

    @Test func aTableIsPinnedToItsVersion() async throws {
        let catalog = FakeCatalog(kind: .table, history: .success(7))
        let table = try #require(try await plan(catalog, depth: .copy).tables.first)
        #expect(table.version == 7)
        #expect(table.pin == "v7")
        #expect(table.selectSQL.hasSuffix("VERSION AS OF 7"))
    }

    @Test func namesNeedingQuotesParseBackFromTheirText() throws {
        for parts in [["main", "sch\"ema", "ta`ble"], ["c", "a.b", "t"], ["cät", "日本", "``"], ["main", "s", "plain"]] {
            let name = TableName(catalog: parts[0], schema: parts[1], table: parts[2])
            let again = try #require(TableName(parsing: name.description), "\(name.description)")
            #expect(again == name, "\(name.description)")
        }
        #expect(TableName(catalog: "main", schema: "s", table: "ta`ble").description == "main.s.`ta``ble`")
        #expect(TableName(catalog: "main", schema: "s", table: "ta`ble").quoted == "`main`.`s`.`ta``ble`")
        #expect(SourceKind(tableType: "MATERIALIZED_VIEW") == .materializedView)
        #expect(SourceKind(tableType: "MANAGED") == .table && SourceKind(tableType: nil) == .table)
    }
}
