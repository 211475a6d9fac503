import DBDuckTesting
import DuckDB
import Foundation
import Testing
@testable import Replication

/// Incremental sync against the emulator: only what changed moves, and the copy always equals a
/// fresh full copy of the table at the pinned version.
@Suite(.serialized) struct IncrementalSyncTests {
    static let create = """
        CREATE TABLE main.sync.t (id BIGINT NOT NULL, v STRING, n INT, CONSTRAINT t_pk PRIMARY KEY (id))
        TBLPROPERTIES (delta.enableChangeDataFeed = true)
        """

    static func withEmulator(_ body: (EmulatorProcess) async throws -> Void) async throws {
        let data = try EmulatorProcess.scratchCopy(of: EmulatorProcess.seededDataDirectory(scale: 0.01))
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await EmulatorProcess.withRunning(data: data, extraArguments: ["--no-retention-check"]) { emulator in
            try await Sync.sql(emulator, "CREATE SCHEMA IF NOT EXISTS main.sync")
            try await body(emulator)
        }
    }

    @Test func cdfMovesOnlyTheChangesDeletesIncludedAndCollapsesRepeatedChanges() async throws {
        try await Self.withEmulator { emulator in
            try await Sync.sql(emulator, Self.create, "INSERT INTO main.sync.t VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3), (4, 'd', 4), (5, 'e', 5)")
            let path = Sync.scratchFile()
            let first = try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf")
            #expect(first.succeeded, "\(first.text)")
            #expect(first.tables[0].fullCopyReason?.contains("first run") == true)
            let firstVersion = try #require(try Sync.state(path, "sync.t")?.version)

            try await Sync.sql(emulator,
                "UPDATE main.sync.t SET v = 'a1' WHERE id = 1", "UPDATE main.sync.t SET v = 'a2', n = 10 WHERE id = 1",
                "DELETE FROM main.sync.t WHERE id = 2", "INSERT INTO main.sync.t VALUES (6, 'f', 6), (7, 'g', 7)",
                "DELETE FROM main.sync.t WHERE id = 7", "UPDATE main.sync.t SET v = 'c1' WHERE id = 3",
                "DELETE FROM main.sync.t WHERE id = 3")
            let second = try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf", verify: "checksum")
            #expect(second.succeeded, "\(second.text)")
            let outcome = try #require(second.tables.first)
            #expect(outcome.fullCopyReason == nil)
            #expect(outcome.versionFrom == firstVersion + 1)
            #expect(outcome.rowsInserted == 1)     // 6 (7 came and went)
            #expect(outcome.rowsUpdated == 1)      // 1, twice, collapsed to its last image
            #expect(outcome.rowsDeleted == 2)      // 2 and 3
            #expect(try Sync.rows(path, "sync.t") == (try await Sync.fullCopy(emulator, "main.sync.t", target: "sync.t")))
            #expect(try Sync.rows(path, "sync.t").contains("1|a2|10"))

            // Nothing changed: nothing moves and the state stays as it was.
            let stateBefore = try #require(try Sync.state(path, "sync.t"))
            let third = try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf")
            #expect(third.succeeded)
            #expect(third.tables[0].bytes == 0)
            #expect(third.tables[0].rowsInserted == 0)
            #expect(try Sync.state(path, "sync.t") == stateBefore)
            let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
            let modes = try connection.query("SELECT mode, rows_inserted, rows_updated, rows_deleted FROM _dbduck.runs ORDER BY started_at").rows()
            #expect(modes.count == 3 && modes[1] == [.varchar("cdf"), .bigint(1), .bigint(1), .bigint(2)])
        }
    }

    @Test func aFullCopyRemovesTheSyncStateSoTheNextSyncStartsAfresh() async throws {
        try await Self.withEmulator { emulator in
            try await Sync.sql(emulator, Self.create, "INSERT INTO main.sync.t VALUES (1, 'a', 1), (2, 'b', 2)")
            let path = Sync.scratchFile()
            #expect(try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf").succeeded)
            #expect(try Sync.state(path, "sync.t") != nil)

            let full = try await Sync.run(emulator, "main.sync.t", to: path, mode: "full")
            #expect(full.succeeded, "\(full.text)")
            #expect(try Sync.state(path, "sync.t") == nil)

            // Changes made while the copy was not synced cannot be applied from the old state.
            try await Sync.sql(emulator, "DELETE FROM main.sync.t WHERE id = 1")
            let again = try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf")
            #expect(again.succeeded, "\(again.text)")
            #expect(again.tables[0].fullCopyReason?.contains("first run") == true)
            #expect(try Sync.rows(path, "sync.t") == ["2|b|2"])
        }
    }

    @Test func softDeletesKeepTheRowMarkedAndLiveRowsMatchTheSource() async throws {
        try await Self.withEmulator { emulator in
            try await Sync.sql(emulator, Self.create, "INSERT INTO main.sync.t VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)")
            let path = Sync.scratchFile()
            #expect(try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf", deletes: "soft").succeeded)
            try await Sync.sql(emulator, "DELETE FROM main.sync.t WHERE id = 2", "INSERT INTO main.sync.t VALUES (4, 'd', 4)")
            let second = try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf", deletes: "soft")
            #expect(second.succeeded, "\(second.text)")
            #expect(second.tables[0].rowsDeleted == 1)
            #expect(try Sync.rows(path, "sync.t", where: "_dbduck_deleted_at IS NULL")
                    == (try await Sync.fullCopy(emulator, "main.sync.t", target: "sync.t")))
            #expect(try Sync.rows(path, "sync.t", where: "_dbduck_deleted_at IS NOT NULL") == ["2|b|2"])
        }
    }

    @Test func mergeByCursorUpsertsAndDetectsDeletesByKey() async throws {
        try await Self.withEmulator { emulator in
            try await Sync.sql(emulator, "CREATE TABLE main.sync.m (id BIGINT NOT NULL, v STRING, updated_at BIGINT)",
                               "INSERT INTO main.sync.m VALUES (1, 'a', 1), (2, 'b', 1), (3, 'c', 2)")
            let path = Sync.scratchFile()
            let first = try await Sync.run(emulator, "main.sync.m", to: path, mode: "merge", key: ["id"], cursor: "updated_at")
            #expect(first.succeeded, "\(first.text)")
            #expect(try Sync.state(path, "sync.m")?.bookmark == "2")
            try await Sync.sql(emulator, "UPDATE main.sync.m SET v = 'a1', updated_at = 3 WHERE id = 1",
                               "DELETE FROM main.sync.m WHERE id = 2", "INSERT INTO main.sync.m VALUES (4, 'd', 3)")
            let second = try await Sync.run(emulator, "main.sync.m", to: path, mode: "merge", key: ["id"], cursor: "updated_at")
            #expect(second.succeeded, "\(second.text)")
            let changed = second.tables[0]
            #expect(changed.rowsInserted == 1)
            #expect(changed.rowsUpdated == 2)      // 1 changed; 3 sits at the bookmark and is read again
            #expect(changed.rowsDeleted == 1)
            #expect(try Sync.rows(path, "sync.m") == (try await Sync.fullCopy(emulator, "main.sync.m", target: "sync.m")))
            #expect(try Sync.state(path, "sync.m")?.bookmark == "3")
        }
    }

    @Test func appendLosesAndDuplicatesNothingAtTheBookmark() async throws {
        try await Self.withEmulator { emulator in
            try await Sync.sql(emulator, "CREATE TABLE main.sync.e (id BIGINT, at TIMESTAMP)",
                               "INSERT INTO main.sync.e VALUES (1, TIMESTAMP'2026-01-01 10:00:00'), (2, TIMESTAMP'2026-01-01 11:00:00')")
            let path = Sync.scratchFile()
            #expect(try await Sync.run(emulator, "main.sync.e", to: path, mode: "append", cursor: "at").succeeded)
            // A late row at the bookmark's instant, and one after it.
            try await Sync.sql(emulator, "INSERT INTO main.sync.e VALUES (3, TIMESTAMP'2026-01-01 11:00:00'), (4, TIMESTAMP'2026-01-02 00:00:00')")
            let second = try await Sync.run(emulator, "main.sync.e", to: path, mode: "append", cursor: "at")
            #expect(second.succeeded, "\(second.text)")
            #expect(second.tables[0].rowsInserted == 2)
            #expect(try Sync.rows(path, "sync.e") == (try await Sync.fullCopy(emulator, "main.sync.e", target: "sync.e")))
            let third = try await Sync.run(emulator, "main.sync.e", to: path, mode: "append", cursor: "at")
            #expect(third.succeeded)
            #expect(third.tables[0].rowsInserted == 0)
            #expect(try Sync.rows(path, "sync.e").count == 4)
        }
    }

    @Test func anAddedColumnJoinsTheCopyAndTheSyncGoesOn() async throws {
        try await Self.withEmulator { emulator in
            try await Sync.sql(emulator, Self.create, "INSERT INTO main.sync.t VALUES (1, 'a', 1), (2, 'b', 2)")
            let path = Sync.scratchFile()
            #expect(try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf").succeeded)
            try await Sync.sql(emulator, "ALTER TABLE main.sync.t ADD COLUMNS (extra STRING)",
                               "UPDATE main.sync.t SET extra = 'x' WHERE id = 2", "INSERT INTO main.sync.t VALUES (3, 'c', 3, 'y')")
            let second = try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf")
            #expect(second.succeeded, "\(second.text)")
            #expect(second.tables[0].fullCopyReason == nil)
            #expect(try Sync.rows(path, "sync.t", columns: "id, v, n, extra")
                    == (try await Sync.fullCopy(emulator, "main.sync.t", target: "sync.t")))
        }
    }

    @Test func aWindowTheFeedCannotServeIsCopiedInFullWithTheReason() async throws {
        try await Self.withEmulator { emulator in
            try await Sync.sql(emulator, Self.create, "INSERT INTO main.sync.t VALUES (1, 'a', 1), (2, 'b', 2)")
            let path = Sync.scratchFile()
            #expect(try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf").succeeded)
            // The feed is off for a commit inside the window.
            try await Sync.sql(emulator, "ALTER TABLE main.sync.t SET TBLPROPERTIES (delta.enableChangeDataFeed = false)",
                               "DELETE FROM main.sync.t WHERE id = 1",
                               "ALTER TABLE main.sync.t SET TBLPROPERTIES (delta.enableChangeDataFeed = true)",
                               "INSERT INTO main.sync.t VALUES (3, 'c', 3)")
            let strict = try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf", noFallback: true)
            #expect(!strict.succeeded)
            #expect(strict.tables[0].error?.contains("DELTA_MISSING_CHANGE_DATA") == true, "\(strict.text)")
            let fallback = try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf")
            #expect(fallback.succeeded, "\(fallback.text)")
            #expect(fallback.tables[0].fullCopyReason?.contains("DELTA_MISSING_CHANGE_DATA") == true)
            #expect(try Sync.rows(path, "sync.t") == (try await Sync.fullCopy(emulator, "main.sync.t", target: "sync.t")))
            let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
            #expect(try connection.scalar("SELECT count(*) FROM _dbduck.runs WHERE fallback_reason LIKE '%DELTA_MISSING_CHANGE_DATA%'")?.integerValue == 1)

            // Versions vacuumed away under the copy's last version.
            try await Sync.sql(emulator, "UPDATE main.sync.t SET v = 'z' WHERE id = 2", "UPDATE main.sync.t SET v = 'zz' WHERE id = 2",
                               "VACUUM main.sync.t RETAIN 0 HOURS")
            let vacuumed = try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf")
            #expect(vacuumed.succeeded, "\(vacuumed.text)")
            #expect(vacuumed.tables[0].fullCopyReason?.contains("cannot serve") == true, "\(vacuumed.text)")
            #expect(try Sync.rows(path, "sync.t") == (try await Sync.fullCopy(emulator, "main.sync.t", target: "sync.t")))

            // Re-created upstream: a new table id.
            try await Sync.sql(emulator, "CREATE OR REPLACE TABLE main.sync.t (id BIGINT NOT NULL, v STRING, n INT, CONSTRAINT t_pk PRIMARY KEY (id)) TBLPROPERTIES (delta.enableChangeDataFeed = true)",
                               "INSERT INTO main.sync.t VALUES (9, 'nine', 9)")
            let recreated = try await Sync.run(emulator, "main.sync.t", to: path, mode: "cdf")
            #expect(recreated.succeeded, "\(recreated.text)")
            #expect(recreated.tables[0].fullCopyReason?.contains("re-created") == true, "\(recreated.text)")
            #expect(try Sync.rows(path, "sync.t") == ["9|nine|9"])
        }
    }

    @Test func badInputIsRefusedBeforeAnythingMoves() async throws {
        try await Self.withEmulator { emulator in
            try await Sync.sql(emulator, "CREATE TABLE main.sync.d (id BIGINT, v STRING)", "INSERT INTO main.sync.d VALUES (1, 'a'), (1, 'b'), (2, 'c')")
            let path = Sync.scratchFile()
            await #expect(throws: PlanError.self) { _ = try await Sync.run(emulator, "main.sync.d", to: path, mode: "merge", key: ["nope"]) }
            await #expect(throws: PlanError.self) { _ = try await Sync.run(emulator, "main.sync.d", to: path, mode: "append", cursor: "nope") }
            await #expect(throws: PlanError.self) { _ = try await Sync.run(emulator, "main.sync.d", to: path, mode: "cdf", key: ["id"], noFallback: true) }
            let duplicate = try await Sync.run(emulator, "main.sync.d", to: path, mode: "merge", key: ["id"])
            #expect(!duplicate.succeeded)
            let message = duplicate.tables[0].error ?? ""
            #expect(message.contains("not unique") && message.contains("id = 1"), "\(duplicate.text)")
            let state = try Sync.state(path, "sync.d")
            #expect(state == nil)
        }
    }

    @Test func hostileKeyColumnNamesRoundTrip() async throws {
        try await Self.withEmulator { emulator in
            try await Sync.sql(emulator, """
                CREATE TABLE main.sync.h (`order id` BIGINT NOT NULL, `we"ird` STRING, CONSTRAINT h_pk PRIMARY KEY (`order id`))
                TBLPROPERTIES (delta.enableChangeDataFeed = true)
                """, "INSERT INTO main.sync.h VALUES (1, 'a'), (2, 'b')")
            let path = Sync.scratchFile()
            #expect(try await Sync.run(emulator, "main.sync.h", to: path, mode: "auto").succeeded)
            #expect(try Sync.state(path, "sync.h")?.mode == .cdf)
            try await Sync.sql(emulator, "UPDATE main.sync.h SET `we\"ird` = 'x' WHERE `order id` = 1", "DELETE FROM main.sync.h WHERE `order id` = 2")
            let second = try await Sync.run(emulator, "main.sync.h", to: path, mode: "auto")
            #expect(second.succeeded, "\(second.text)")
            #expect(try Sync.rows(path, "sync.h") == ["1|x"])
        }
    }
}
