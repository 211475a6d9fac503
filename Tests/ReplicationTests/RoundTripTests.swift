import DBDuckTesting
import Foundation
import Testing
@testable import Replication

/// What one table costs in warehouse statements, counted by the emulator: a full copy of a pinned
/// table takes its version and its rows, nothing more.
@Suite(.serialized) struct RoundTripTests {
    @Test func aFullCopyOfAPinnedTableTakesTwoStatements() async throws {
        try await EmulatorProcess.withRunning { emulator in
            let path = Sync.scratchFile()
            let before = try await emulator.statementCount()
            let summary = try await Sync.run(emulator, "samples.tpch.orders", to: path, mode: nil)
            #expect(summary.succeeded, "\(summary.text)")
            #expect(summary.tables[0].rows == 15_000)
            let used = try await emulator.statementCount() - before
            #expect(used == 2, "a full copy ran \(used) warehouse statements")
        }
    }

    @Test func aSmallTableArrivesInsideTheStatementResponse() async throws {
        try await EmulatorProcess.withRunning { emulator in
            let path = Sync.scratchFile()
            let before = try await emulator.stats()["downloads"] as? Int ?? -1
            let summary = try await Sync.run(emulator, "samples.tpch.orders", to: path, mode: nil)
            #expect(summary.succeeded, "\(summary.text)")
            #expect(summary.tables[0].rows == 15_000 && summary.tables[0].bytes > 0)
            let downloads = (try await emulator.stats()["downloads"] as? Int ?? -1) - before
            #expect(downloads == 0, "a one-chunk result took \(downloads) downloads")
        }
    }

    @Test func aWarehouseWithoutTheHybridDispositionGetsLinks() async throws {
        try await EmulatorProcess.withRunning(extraArguments: ["--hybrid-inline-bytes", "-1"]) { emulator in
            let path = Sync.scratchFile()
            let summary = try await Sync.run(emulator, "samples.tpch.*", to: path, mode: nil)
            #expect(summary.succeeded, "\(summary.text)")
            #expect(summary.tables.map(\.rows).sorted() == [15_000, 60_012])
            // Refused (once per table at most: the two copies start together), then links.
            let executes = try await emulator.requestCount("execute")
            #expect(executes > 2 * summary.tables.count && executes <= 3 * summary.tables.count, "\(executes) requests")
            #expect(try await emulator.stats()["downloads"] as? Int ?? 0 >= summary.tables.count)
        }
    }

    @Test func aSchemaPatternIsDescribedByOneListing() async throws {
        try await EmulatorProcess.withRunning { emulator in
            let path = Sync.scratchFile()
            let (statements, catalogCalls) = (try await emulator.statementCount(), try await emulator.requestCount("uc"))
            let summary = try await Sync.run(emulator, "samples.tpch.*", to: path, mode: nil)
            #expect(summary.succeeded, "\(summary.text)")
            #expect(summary.tables.count == 2)
            let calls = try await emulator.requestCount("uc") - catalogCalls
            #expect(calls == 1, "planning \(summary.tables.count) tables made \(calls) Unity Catalog calls")
            let used = try await emulator.statementCount() - statements
            #expect(used == 2 * summary.tables.count, "\(summary.tables.count) full copies ran \(used) warehouse statements")
        }
    }

    @Test func aChangeFeedRunWithNothingNewTakesOnlyTheVersionCheck() async throws {
        let data = try EmulatorProcess.scratchCopy(of: EmulatorProcess.seededDataDirectory(scale: 0.01))
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await EmulatorProcess.withRunning(data: data) { emulator in
            let path = Sync.scratchFile()
            #expect(try await Sync.run(emulator, "main.demo.orders_cdf", to: path, mode: "cdf").succeeded)
            let before = try await emulator.statementCount()
            let again = try await Sync.run(emulator, "main.demo.orders_cdf", to: path, mode: "cdf")
            #expect(again.succeeded, "\(again.text)")
            let used = try await emulator.statementCount() - before
            // The version and DESCRIBE DETAIL (the table id, to notice a re-created table); no count
            // (an apply derives it) and no change feed read.
            #expect(used == 2, "a no-change cdf run ran \(used) warehouse statements")
        }
    }
}
