import Foundation
import Replication
import Testing

/// The plan sets DuckDB's thread count itself only for a run that is all row-by-row inserts.
@Suite struct ThreadChoiceTests {
    func plan(_ strategies: [LoadStrategy], threads: Int? = nil) async throws -> ReplicationPlan {
        let catalog = ViewPlanningTests.FakeCatalog(kind: .table, history: .success(4))
        let tables = strategies.enumerated().map { TableSelection(name: "main.s.t\($0.offset)", strategy: .fixed($0.element)) }
        let config = ReplicationConfig(target: TargetSettings(threads: threads), tables: tables)
        return try await Planner(catalog: catalog, config: config, targetPath: "t.duckdb").plan()
    }

    @Test func aRunOfRowByRowTablesTakesOneDuckDBThreadAndSaysWhy() async throws {
        let plan = try await plan([.basic, .basic])
        #expect(plan.settings.target.threads == 1)
        #expect(plan.settings.target.databaseConfiguration.threads == 1)
        let text = PlanRenderer.text(plan)
        #expect(text.contains("DuckDB threads: 1 (every table is copied row by row"), "\(text)")
    }

    @Test func aRunWithAnyOtherStrategyKeepsDuckDBsDefault() async throws {
        let plan = try await plan([.basic, .streaming])
        #expect(plan.settings.target.threads == nil)
        #expect(plan.settings.threadsReason == nil)
        #expect(!PlanRenderer.text(plan).contains("DuckDB threads"))
    }

    @Test func aConfiguredThreadCountIsKept() async throws {
        let plan = try await plan([.basic], threads: 3)
        #expect(plan.settings.target.threads == 3)
        #expect(plan.settings.threadsReason == nil)
        #expect(!PlanRenderer.text(plan).contains("DuckDB threads"))
    }
}
