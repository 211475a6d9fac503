import Commands
import DBDuckTesting
import DuckDB
import Foundation
import Testing
@testable import Replication

/// Incremental windows larger than the target's memory_limit, and what an incremental run costs
/// in warehouse statements.
@Suite(.serialized) struct IncrementalScaleTests {
    /// 300,060 rows (lineitem at scale 0.01, five times over), far more than 20MB once staged.
    static let create = """
        CREATE TABLE main.sync.big AS
        SELECT l_orderkey * 8 + l_linenumber + m.k * 100000000 AS id, l_comment AS v, l_extendedprice AS price,
               CAST(1 AS BIGINT) AS updated_at
        FROM samples.tpch.lineitem, (VALUES (0), (1), (2), (3), (4)) AS m(k)
        """

    /// A merge or cdf sync of `table` into `path` under a 20MB memory_limit (one DuckDB thread, so the
    /// bound does not depend on how many operators the machine lets run at once).
    static func sync(_ emulator: EmulatorProcess, _ table: String, to path: String, mode: String,
                     key: [String], cursor: String? = nil, memoryLimit: String = "20MB") async throws -> ReplicationSummary {
        let config = path + ".yml"
        try "tables: [\(table)]\ntarget: { memory_limit: \(memoryLimit), threads: 1 }\n".write(toFile: config, atomically: true, encoding: .utf8)
        var input = Sync.input(emulator, [], to: path)
        input.configPath = config
        input.mode = mode
        input.primaryKey = key
        input.cursor = cursor
        input.deletes = "hard"
        return try await Session.replicate(input, logger: Sync.logger)
    }

    @Test func aMergeWindowOfEveryRowFitsASmallMemoryLimit() async throws {
        try await IncrementalSyncTests.withEmulator { emulator in
            try await Sync.sql(emulator, Self.create)
            let path = Sync.scratchFile()
            let first = try await Self.sync(emulator, "main.sync.big", to: path, mode: "merge", key: ["id"], cursor: "updated_at")
            #expect(first.succeeded, "\(first.text)")
            #expect(first.tables[0].rows == 300_060)
            // Every row changes (the window is the whole table), a few go and a few come.
            try await Sync.sql(emulator, "UPDATE main.sync.big SET updated_at = 2, v = concat(v, '!'), price = price + 1",
                               "DELETE FROM main.sync.big WHERE id % 1000 = 3",
                               "INSERT INTO main.sync.big VALUES (-1, 'new', 1.5, 3), (-2, 'new', 2.5, 3)")
            let second = try await Self.sync(emulator, "main.sync.big", to: path, mode: "merge", key: ["id"], cursor: "updated_at")
            #expect(second.succeeded, "\(second.text)")
            let outcome = try #require(second.tables.first)
            #expect(outcome.fullCopyReason == nil)
            #expect(outcome.rowsInserted == 2)
            let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
            let deleted = Int64(300_060) - Int64(try connection.scalar("SELECT count(*) FROM sync.big")?.integerValue ?? 0) + 2
            #expect(outcome.rowsDeleted == deleted && deleted > 0)
            #expect(outcome.rowsUpdated == 300_060 - deleted)
            #expect(try connection.scalar("SELECT count(*) FROM sync.big WHERE v NOT LIKE '%!' AND id > 0")?.integerValue == 0)
            #expect(try Sync.rows(path, "sync.big") == (try await Sync.fullCopy(emulator, "main.sync.big", target: "sync.big")))
        }
    }

    @Test func aSmallMergeWindowWithDeletesAllOverALargeCopyFitsASmallMemoryLimit() async throws {
        try await IncrementalSyncTests.withEmulator { emulator in
            try await Sync.sql(emulator, Self.create)
            let path = Sync.scratchFile()
            #expect(try await Self.sync(emulator, "main.sync.big", to: path, mode: "merge", key: ["id"], cursor: "updated_at").succeeded)
            // A window small enough to apply in place, and deletes spread over every part of the copy,
            // found by comparing the source's keys with the copy's.
            try await Sync.sql(emulator, "UPDATE main.sync.big SET updated_at = 2, v = concat(v, '!') WHERE id % 97 = 5",
                               "DELETE FROM main.sync.big WHERE id % 89 = 7")
            let second = try await Self.sync(emulator, "main.sync.big", to: path, mode: "merge", key: ["id"], cursor: "updated_at")
            #expect(second.succeeded, "\(second.text)")
            let outcome = try #require(second.tables.first)
            #expect(outcome.fullCopyReason == nil)
            #expect((outcome.rowsDeleted ?? 0) > 3_000 && (outcome.rowsUpdated ?? 0) > 3_000)
            #expect(try Sync.rows(path, "sync.big") == (try await Sync.fullCopy(emulator, "main.sync.big", target: "sync.big")))
        }
    }

    @Test func aChangeFeedRunAsksTheWarehouseNoCount() async throws {
        try await IncrementalSyncTests.withEmulator { emulator in
            try await Sync.sql(emulator, IncrementalSyncTests.create, "INSERT INTO main.sync.t VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)")
            let path = Sync.scratchFile()
            #expect(try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf").succeeded)
            // Nothing new: the version and DESCRIBE DETAIL (the table id), nothing else.
            var before = try await emulator.statementCount()
            let idle = try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf")
            #expect(idle.succeeded, "\(idle.text)")
            var used = try await emulator.statementCount() - before
            #expect(used == 2, "a no-change cdf run ran \(used) warehouse statements")

            // A change: the same two and the change feed's read; the count is derived from the copy.
            try await Sync.sql(emulator, "UPDATE main.sync.t SET v = 'b1' WHERE id = 2", "DELETE FROM main.sync.t WHERE id = 3")
            before = try await emulator.statementCount()
            let changed = try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf")
            #expect(changed.succeeded, "\(changed.text)")
            used = try await emulator.statementCount() - before
            #expect(used == 3, "a cdf run with a change ran \(used) warehouse statements")
            #expect(changed.tables[0].rowsUpdated == 1 && changed.tables[0].rowsDeleted == 1)
            #expect(try Sync.rows(path, "sync.t") == ["1|a|1", "2|b1|2"])
        }
    }
}
