import DuckDB
import Foundation
import Testing
@testable import Replication

/// dbduck replaces only the tables it created; the rest are refused at planning, each alone.
@Suite struct TargetOwnershipTests {
    static func scratch() -> String {
        let dir = NSTemporaryDirectory() + "dbduck-owner-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/t.duckdb"
    }

    static func planned(_ schema: String, _ table: String) -> PlannedTable {
        PlannedTable(source: "c.\(schema).\(table)", targetSchema: schema, targetTable: table, columns: [], filter: nil,
                     strategy: .streaming, strategyReason: "", chunkSize: 1, version: 1, rowCount: nil, sizeBytes: nil,
                     numFiles: nil, comment: nil)
    }

    @Test func ownedMeansACommittedCopyOrASyncState() throws {
        let path = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        #expect(try TargetSnapshot.read(path: path).ownership == TargetOwnership(), "no file: nothing exists, nothing is created")
        #expect(!FileManager.default.fileExists(atPath: path))
        do {
            let database = try Database(path: path)
            try TargetDatabase.prepare(database, schemas: ["s"])
            let connection = try database.connect()
            try connection.execute("""
                CREATE TABLE s.mine (x INT); CREATE TABLE s.Synced (x INT); CREATE TABLE s.theirs (x INT);
                CREATE TABLE s.failed_once (x INT); CREATE VIEW s.a_view AS SELECT 1 AS x
                """)
            let now = Date()
            func record(_ target: String, _ status: String) throws {
                try RunRecords.insert(RunRecords.Record(runID: "r", source: "c.\(target)", target: target, startedAt: now, finishedAt: now,
                                                        rows: 0, bytes: 0, strategy: .streaming, sourceVersion: 1, status: status, error: nil),
                                      database)
            }
            try record("s.MINE", "succeeded")
            try record("s.failed_once", "failed")
            try connection.execute("""
                INSERT INTO _dbduck.state VALUES ('s.synced', 'c.s.synced', 'cdf', 1, NULL, NULL, '[]', 'hard', NULL, '[]', now())
                """)
        }
        let ownership = try TargetSnapshot.read(path: path).ownership
        #expect(ownership.owned == ["s.mine", "s.synced"])
        #expect(!ownership.isUnmanaged("s.mine"))
        #expect(!ownership.isUnmanaged("S.Synced"), "names match as DuckDB matches them, ignoring case")
        #expect(ownership.isUnmanaged("s.theirs"))
        #expect(ownership.isUnmanaged("s.failed_once"), "a failed run never created the table")
        #expect(ownership.isUnmanaged("s.a_view"), "a view of that name would be dropped too")
        #expect(!ownership.isUnmanaged("s.new_table"), "a name the file does not hold is free")
    }

    @Test func anUnmanagedTableIsRefusedAloneUnlessReplacingIsAllowed() {
        let ownership = TargetOwnership(existing: ["s.mine", "s.theirs"], owned: ["s.mine"])
        var plan = ReplicationPlan(targetPath: "t.duckdb", tables: [Self.planned("s", "mine"), Self.planned("s", "theirs"),
                                                                   Self.planned("s", "new")],
                                   settings: ReplicationSettings())
        var allowed = plan
        ownership.refuseUnmanaged(in: &plan)
        #expect(plan.tables.map(\.target) == ["s.mine", "s.new"])
        let refused = plan.unavailable.first
        #expect(plan.unavailable.count == 1)
        #expect(refused?.source == "c.s.theirs")
        #expect(refused?.target == "s.theirs")
        let reason = refused?.reason ?? ""
        #expect(reason.hasPrefix("s.theirs already exists in t.duckdb and dbduck did not create it"), "\(reason)")
        #expect(reason.contains("target: { replace_unmanaged: true }"), "\(reason)")
        #expect(reason.contains("--replace-unmanaged"), "\(reason)")

        allowed.settings.target.replaceUnmanaged = true
        ownership.refuseUnmanaged(in: &allowed)
        #expect(allowed.tables.count == 3)
        #expect(allowed.unavailable.isEmpty)
    }
}
