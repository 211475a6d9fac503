import Foundation
@testable import Replication
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

/// How many connections insert a `basic` table's rows: the cores shared by the `basic` tables
/// copied at once, one when insertion order is kept, and a configured number as it is.
@Suite struct RowInserterChoiceTests {
    func settings(_ strategies: [LoadStrategy], parallel: Int = 1, cores: Int, configured: Int? = nil,
                  preserveOrder: Bool? = nil) -> ReplicationSettings {
        var settings = ReplicationSettings(parallelTables: parallel, target: TargetSettings(preserveOrder: preserveOrder))
        settings.rowInserters = configured
        settings.chooseRowInserters(for: strategies, cores: cores)
        return settings
    }

    @Test func oneBasicTableTakesACorePerConnectionUpToFour() {
        #expect(settings([.basic], cores: 2).rowInserters == 2)
        #expect(settings([.basic], cores: 64).rowInserters == 4)
        #expect(settings([.basic], cores: 1).rowInserters == 1)
        #expect(settings([.basic], cores: 2).rowInsertersReason?.contains("set row_inserters") == true)
    }

    @Test func basicTablesCopiedAtOnceShareTheCores() {
        #expect(settings([.basic, .basic, .basic, .basic], parallel: 4, cores: 8).rowInserters == 2)
        #expect(settings([.basic, .basic], parallel: 8, cores: 2).rowInserters == 1)
        #expect(settings([.basic, .streaming, .streaming], parallel: 3, cores: 4).rowInserters == 4)
    }

    @Test func keptOrderConfiguredOrNoBasicTable() {
        #expect(settings([.basic], cores: 8, preserveOrder: true).rowInserters == 1)
        #expect(settings([.basic], cores: 8, configured: 3).rowInserters == 3)
        #expect(settings([.basic], cores: 8, configured: 3).rowInsertersReason == nil)
        #expect(settings([.streaming], cores: 8).rowInserters == nil)
    }

    @Test func thePlanGivesBasicTablesTheirInsertersAndSaysWhy() async throws {
        let catalog = ViewPlanningTests.FakeCatalog(kind: .table, history: .success(4))
        let tables = [TableSelection(name: "main.s.a", strategy: .fixed(.basic)), TableSelection(name: "main.s.b", strategy: .fixed(.streaming))]
        var config = ReplicationConfig(target: TargetSettings(), tables: tables)
        config.defaults.rowInserters = 3
        let plan = try await Planner(catalog: catalog, config: config, targetPath: "t.duckdb").plan()
        #expect(plan.tables.map(\.rowInserters) == [3, 1])
        #expect(PlanRenderer.text(plan).contains("`basic` rows: 3 connections inserting at once (configured)"))
    }
}
