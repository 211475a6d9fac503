import Databricks
import Testing
@testable import Replication

/// The plan's time estimate: a filtered read is estimated from its rows, never from the size of the
/// whole table it filters.
@Suite struct PlanEstimateTests {
    /// A table of 10 GB stored, of which the count (with any filter) is 3 rows.
    struct LargeTable: WarehouseCatalog {
        func catalogs() async throws -> [String] { ["main"] }
        func schemas(in catalog: String) async throws -> [String] { ["s"] }
        func tables(in catalog: String, schema: String) async throws -> [String] { ["t"] }
        func describe(_ table: TableName) async throws -> SourceTable {
            SourceTable(columns: [SourceColumn(name: "id", typeText: "bigint")], kind: .table)
        }
        func currentVersion(of table: TableName) async throws -> Int64? { 7 }
        func detail(of table: TableName) async throws -> SourceDetail { SourceDetail(sizeBytes: 10_000_000_000, numFiles: 40) }
        func scalarInteger(_ sql: String) async throws -> Int64 { 3 }
    }

    func estimate(filter: String?) async throws -> Double {
        let config = ReplicationConfig(tables: [TableSelection(name: "main.s.t", filter: filter, strategy: .fixed(.basic))])
        let plan = try await Planner(catalog: LargeTable(), config: config, targetPath: "t.duckdb").plan()
        return try #require(plan.tables.first?.estimatedSeconds)
    }

    @Test func aFilteredReadIsEstimatedFromItsRows() async throws {
        let rate = try #require(StrategyAdvisor.measuredThroughput[.basic])
        #expect(try await estimate(filter: nil) >= 10_000_000_000 / rate.bytesPerSecond)
        #expect(try await estimate(filter: "id < 4") < 1)
    }
}
