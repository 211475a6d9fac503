import Commands
import DBDuckTesting
import Databricks
import DuckDB
import Foundation
import Logging
import Testing
@testable import Replication

/// A failed or interrupted load leaves the previous copy intact; a changing table is read at its
/// pinned version; hostile identifiers replicate under exactly their names.
@Suite(.serialized) struct AtomicityTests {
    typealias E2E = ReplicationEndToEndTests

    static func input(_ emulator: EmulatorProcess, _ tables: [String], to path: String, strategy: String? = nil,
                      configPath: String? = nil) -> CommandLineInput {
        var input = CommandLineInput()
        input.tables = tables
        input.targetPath = path
        input.strategy = strategy
        input.configPath = configPath
        input.source = SourceSettings(host: emulator.host, token: emulator.token, warehouseID: emulator.warehouseID)
        return input
    }

    static func sql(_ emulator: EmulatorProcess, _ statement: String) async throws {
        let client = try DatabricksClient(workspace: emulator.workspace())
        do {
            _ = try await client.execute(StatementRequest(statement))
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static func fingerprint(_ path: String, _ table: String) throws -> [Value] {
        let connection = try Database(path: path).connect()
        return try connection.query("SELECT count(*), sum(l_extendedprice), min(l_orderkey) FROM \(table)").rows().first ?? []
    }

    static func stagingDebris(_ path: String) throws -> Int {
        let connection = try Database(path: path).connect()
        return Int(try connection.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '_dbduck_%'")?.integerValue ?? -1)
    }

    @Test(arguments: [LoadStrategy.streaming, .batch, .parquet])
    func failureMidLoadKeepsThePreviousCopy(_ strategy: LoadStrategy) async throws {
        let data = try EmulatorProcess.scratchCopy(of: EmulatorProcess.seededDataDirectory(scale: 0.01))
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await EmulatorProcess.withRunning(data: data, extraArguments: ["--chunk-rows", "5000"]) { emulator in
            let path = E2E.scratchFile()
            let first = try await Session.replicate(Self.input(emulator, ["samples.tpch.lineitem"], to: path, strategy: strategy.rawValue),
                                                    logger: E2E.logger)
            #expect(first.succeeded, "\(first.text)")
            let before = try Self.fingerprint(path, "tpch.lineitem")
            #expect(before.first == .bigint(60012))

            try await Self.sql(emulator, "DELETE FROM samples.tpch.lineitem WHERE l_orderkey < 2000")
            // Storage fails for good after three downloads: the load dies mid-table.
            try await emulator.setFaults("500,target=storage,after=3")
            let config = E2E.scratchFile("config") + ".yml"
            try "defaults: { retries: { max: 1 } }\ntables: [samples.tpch.lineitem]\n".write(toFile: config, atomically: true, encoding: .utf8)
            let failed = try await Session.replicate(Self.input(emulator, [], to: path, strategy: strategy.rawValue, configPath: config),
                                                     logger: E2E.logger)
            #expect(!failed.succeeded)
            let error = try #require(failed.tables.first?.error)
            #expect(error.contains("500"), "\(error)")
            #expect(try Self.fingerprint(path, "tpch.lineitem") == before)
            #expect(try Self.stagingDebris(path) == 0)
            let connection = try Database(path: path).connect()
            let statuses = try connection.query("SELECT status FROM _dbduck.runs ORDER BY started_at").rows().map { $0.first?.stringValue }
            #expect(statuses == ["succeeded", "failed"])

            try await emulator.clearFaults()
            let again = try await Session.replicate(Self.input(emulator, ["samples.tpch.lineitem"], to: path, strategy: strategy.rawValue),
                                                    logger: E2E.logger)
            #expect(again.succeeded, "\(again.text)")
            let after = try Self.fingerprint(path, "tpch.lineitem")
            #expect(after.first != before.first)
            #expect(after.first == .bigint(again.tables[0].rows))
        }
    }

    @Test func aTableChangingDuringTheCopyIsReadAtItsPinnedVersion() async throws {
        let data = try EmulatorProcess.scratchCopy(of: EmulatorProcess.seededDataDirectory(scale: 0.01))
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await EmulatorProcess.withRunning(data: data) { emulator in
            let path = E2E.scratchFile()
            let setup = try RunSetup.resolve(Self.input(emulator, ["main.demo.events"], to: path, strategy: "streaming"))
            let plan = try await Session.plan(setup, logger: E2E.logger)
            let planned = try #require(plan.tables.first)
            let plannedRows = try #require(planned.rowCount)
            let version = try #require(planned.version)

            // The table moves on between planning and copying.
            try await Self.sql(emulator, "INSERT INTO main.demo.events SELECT * FROM main.demo.events LIMIT 10")
            let summary = try await Session.run(plan, workspace: setup.workspace, logger: E2E.logger)
            #expect(summary.succeeded, "\(summary.text)")
            #expect(summary.tables[0].rows == plannedRows)
            #expect(summary.tables[0].sourceVersion == version)
            let connection = try Database(path: path).connect()
            #expect(try connection.scalar("SELECT count(*) FROM demo.events")?.integerValue == Int128(plannedRows))
            #expect(try connection.scalar("SELECT source_version FROM _dbduck.runs")?.integerValue == Int128(version))

            let next = try await Session.replicate(Self.input(emulator, ["main.demo.events"], to: path), logger: E2E.logger)
            #expect(next.tables[0].rows == plannedRows + 10)
            #expect(next.tables[0].sourceVersion == version + 1)
        }
    }

    @Test func hostileIdentifiersReplicateUnderExactlyTheirNames() async throws {
        let data = try EmulatorProcess.scratchCopy(of: EmulatorProcess.seededDataDirectory(scale: 0.01))
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await EmulatorProcess.withRunning(data: data) { emulator in
            try await Self.sql(emulator, "CREATE TABLE main.demo.`a\";drop_table_x;--` (`a\"; DROP TABLE x; --` INT, `b` STRING)")
            try await Self.sql(emulator, "INSERT INTO main.demo.`a\";drop_table_x;--` VALUES (1, 'one'), (2, NULL)")
            for strategy in LoadStrategy.allCases {
                let path = E2E.scratchFile(strategy.rawValue)
                let summary = try await Session.replicate(Self.input(emulator, ["main.demo.a\";drop_table_x;--"], to: path,
                                                                     strategy: strategy.rawValue), logger: E2E.logger)
                #expect(summary.succeeded, "\(summary.text)")
                let connection = try Database(path: path).connect()
                let rows = try connection.query("SELECT \"a\"\"; DROP TABLE x; --\", b FROM demo.\"a\"\";drop_table_x;--\" ORDER BY 1").rows()
                #expect(rows == [[.integer(1), .varchar("one")], [.integer(2), .null]], "\(strategy)")
            }
        }
    }

    @Test func badCredentialsAreNamedAndNothingIsCreated() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            let path = E2E.scratchFile()
            var input = Self.input(emulator, ["samples.tpch.orders"], to: path)
            input.source.token = "dapi-not-the-token"
            let error = await #expect(throws: (any Error).self) { try await Session.replicate(input, logger: E2E.logger) }
            let text = "\(error.map { "\($0)" } ?? "")"
            #expect(text.contains("401") || text.contains("403"), "\(text)")
            #expect(!text.contains("dapi-not-the-token"))
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }
}
