import Commands
import DBDuckTesting
import Databricks
import DuckDB
import Foundation
import Logging
import Testing
@testable import Replication

/// Replication against the emulator: every strategy, exact types, atomicity, pinned snapshots.
@Suite(.serialized) struct ReplicationEndToEndTests {
    static let logger = Logger(label: "test")

    /// Runs a replication of `tables` into `path` with a strategy, on an emulator that is running.
    static func replicate(_ emulator: EmulatorProcess, _ tables: [String], to path: String, strategy: String? = nil,
                          chunkSize: Int? = nil, config: ReplicationConfig? = nil) async throws -> ReplicationSummary {
        var input = Sync.input(emulator, tables, to: path)
        input.strategy = strategy
        input.chunkSize = chunkSize
        return try await Session.replicate(input, logger: logger)
    }

    static func scratchFile(_ name: String = "t") -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dbduck-tests-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("\(name).duckdb").path
    }

    /// Every row of a table, as sorted text, column by column comparable across files.
    static func dump(_ path: String, _ table: String, orderBy: String) throws -> [[Value]] {
        let db = try Database(path: path, configuration: .init(readOnly: true))
        let connection = try db.connect()
        return try connection.query("SELECT * FROM \(table) ORDER BY \(orderBy)").rows()
    }

    /// Equality that also holds for NaN (the same bits stored twice are the same value here).
    static func same(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.float(let x), .float(let y)): x == y || (x.isNaN && y.isNaN)
        case (.double(let x), .double(let y)): x == y || (x.isNaN && y.isNaN)
        case (.list(let x), .list(let y)), (.array(let x), .array(let y)):
            x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.structure(let x), .structure(let y)):
            x.count == y.count && zip(x, y).allSatisfy { $0.name == $1.name && same($0.value, $1.value) }
        default: a == b
        }
    }

    static func columnTypes(_ path: String, _ table: String) throws -> [String] {
        let db = try Database(path: path, configuration: .init(readOnly: true))
        let connection = try db.connect()
        let parts = table.split(separator: ".")
        return try connection.query("SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_schema = '\(parts[0])' AND table_name = '\(parts[1])' ORDER BY ordinal_position").rows().compactMap { $0.first?.stringValue }
    }

    @Test func everyStrategyGivesIdenticalTablesOnAllTypes() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            var dumps: [String: [[Value]]] = [:]
            var types: [String: [String]] = [:]
            for strategy in LoadStrategy.allCases {
                let path = Self.scratchFile(strategy.rawValue)
                let summary = try await Self.replicate(emulator, ["main.demo.all_types"], to: path, strategy: strategy.rawValue)
                #expect(summary.succeeded, "\(strategy): \(summary.text)")
                dumps[strategy.rawValue] = try Self.dump(path, "demo.all_types", orderBy: "1")
                types[strategy.rawValue] = try Self.columnTypes(path, "demo.all_types")
            }
            // batch converting every 2 rows: several conversions in one load, the last one partial.
            let smallChunks = Self.scratchFile("batch-small-chunks")
            let summary = try await Self.replicate(emulator, ["main.demo.all_types"], to: smallChunks, strategy: "batch", chunkSize: 2)
            #expect(summary.succeeded, "batch, chunk size 2: \(summary.text)")
            dumps["batch, chunk size 2"] = try Self.dump(smallChunks, "demo.all_types", orderBy: "1")
            types["batch, chunk size 2"] = try Self.columnTypes(smallChunks, "demo.all_types")
            let reference = try #require(dumps["streaming"])
            #expect(reference.count > 5)
            for (strategy, rows) in dumps {
                #expect(types[strategy] == types["streaming"], "\(strategy) column types differ")
                #expect(rows.count == reference.count, "\(strategy) row count")
                for (i, (a, b)) in zip(rows, reference).enumerated() {
                    for (column, (x, y)) in zip(a, b).enumerated() where !Self.same(x, y) {
                        Issue.record("\(strategy) differs from streaming at row \(i), column \(types["streaming"]?[column] ?? "\(column)"): \(x) vs \(y)")
                    }
                }
            }
            // The same table from a warehouse in another session time zone, sending nested values as
            // JSON strings and skipping the LZ4 it was asked for, lands identical too.
            try await EmulatorProcess.withRunning(seedScale: 0.01, faults: "nested_json;no_lz4",
                                                  extraArguments: ["--session-tz", "America/Los_Angeles"]) { quirky in
                for strategy in LoadStrategy.allCases {
                    let path = Self.scratchFile("quirky-\(strategy.rawValue)")
                    let summary = try await Self.replicate(quirky, ["main.demo.all_types"], to: path, strategy: strategy.rawValue)
                    #expect(summary.succeeded, "quirky \(strategy): \(summary.text)")
                    #expect(try Self.columnTypes(path, "demo.all_types") == types["streaming"], "quirky \(strategy) types")
                    let rows = try Self.dump(path, "demo.all_types", orderBy: "1")
                    #expect(rows.count == reference.count)
                    for (i, (a, b)) in zip(rows, reference).enumerated() {
                        for (column, (x, y)) in zip(a, b).enumerated() where !Self.same(x, y) {
                            Issue.record("quirky \(strategy) differs at row \(i), column \(types["streaming"]?[column] ?? "\(column)"): \(x) vs \(y)")
                        }
                    }
                }
            }
            // Nested types land typed, never as JSON text.
            let typeList = try #require(types["streaming"])
            #expect(!typeList.contains { $0.hasSuffix(" VARCHAR") && ($0.contains("struct") || $0.contains("array") || $0.contains("map")) })
            #expect(typeList.contains { $0.contains("TIMESTAMP WITH TIME ZONE") })
        }
    }

    @Test func wildcardsProjectionsAndFilters() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            // The file's catalog is named `tpch`, like the schema the tables land in.
            let path = Self.scratchFile("tpch")
            let summary = try await Self.replicate(emulator, ["samples.tpch.*"], to: path)
            #expect(summary.succeeded, "\(summary.text)")
            #expect(Set(summary.tables.map(\.target)) == ["tpch.lineitem", "tpch.orders"])
            let expected = try Database(path: path).connect()
                .scalar("SELECT count(*) FROM tpch.tpch.lineitem WHERE l_orderkey <= 100")?.integerValue

            let yaml = """
            target: { path: \(path) }
            tables:
              - name: samples.tpch.lineitem
                target: tpch.sample_li
                columns: [l_orderkey, l_quantity]
                where: "l_orderkey <= 100"
                strategy: batch
              - name: samples.*.ord*
            """
            let configPath = Self.scratchFile("config") + ".yml"
            try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
            var input = CommandLineInput()
            input.configPath = configPath
            input.source = SourceSettings(host: emulator.host, token: emulator.token, warehouseID: emulator.warehouseID)
            let second = try await Session.replicate(input, logger: Self.logger)
            #expect(second.succeeded, "\(second.text)")
            #expect(second.tables.map(\.target) == ["tpch.sample_li", "tpch.orders"])
            #expect(try Self.columnTypes(path, "tpch.sample_li") == ["l_orderkey BIGINT", "l_quantity DECIMAL(18,2)"])
            let db = try Database(path: path)
            let loaded = try db.connect().scalar("SELECT count(*) FROM tpch.tpch.sample_li")?.integerValue
            #expect(loaded == expected)
            #expect((loaded ?? 0) > 0)
            let records = try db.connect().scalar("SELECT count(*) FROM _dbduck.runs WHERE status = 'succeeded'")?.integerValue
            #expect(records == 4)
        }
    }

    @Test func collidingTargetsAreRefusedInThePlan() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            let yaml = """
            tables:
              - name: samples.tpch.orders
                target: demo.events
              - main.demo.events
            """
            let configPath = Self.scratchFile("config") + ".yml"
            try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
            var input = CommandLineInput()
            input.configPath = configPath
            input.source = SourceSettings(host: emulator.host, token: emulator.token, warehouseID: emulator.warehouseID)
            let error = await #expect(throws: PlanError.self) { try await Session.plan(input, logger: Self.logger) }
            #expect(error?.message == "samples.tpch.orders and main.demo.events would both land on demo.events. Give one of them a `target:` in dbduck.yml.")
        }
    }

    @Test func missingTableAndMissingColumnAreNamed() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            var input = CommandLineInput()
            input.tables = ["main.demo.nope"]
            input.source = SourceSettings(host: emulator.host, token: emulator.token, warehouseID: emulator.warehouseID)
            // A missing table is planned as unavailable: it fails alone when the run copies.
            let plan = try await Session.plan(input, logger: Self.logger)
            #expect(plan.tables.isEmpty)
            #expect(plan.unavailable.first?.reason.hasPrefix("main.demo.nope: cannot read the table's columns") == true)
            input.tables = ["main.nothing.*"]
            let none = await #expect(throws: PlanError.self) { try await Session.plan(input, logger: Self.logger) }
            #expect(none?.message.contains("matches no table") == true)
        }
    }

    @Test func commentsAndNotNullCarryOver() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            let path = Self.scratchFile()
            let summary = try await Self.replicate(emulator, ["main.demo.all_types"], to: path)
            #expect(summary.succeeded, "\(summary.text)")
            let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
            #expect(try connection.scalar("SELECT comment FROM duckdb_columns() WHERE table_name = 'all_types' AND column_name = 'id'")?.stringValue == "row number")
            #expect(try connection.scalar("SELECT comment FROM duckdb_tables() WHERE table_name = 'all_types'")?.stringValue == "Every supported type, with nulls and edge values")
            #expect(try connection.scalar("SELECT is_nullable FROM duckdb_columns() WHERE table_name = 'all_types' AND column_name = 'id'") == .boolean(false))
        }
    }

    @Test(arguments: LoadStrategy.allCases)
    func anEmptyResultGivesAnEmptyTable(_ strategy: LoadStrategy) async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            let path = Self.scratchFile()
            let config = Self.scratchFile("config") + ".yml"
            try "tables:\n  - name: samples.tpch.orders\n    where: \"o_orderkey < 0\"\n".write(toFile: config, atomically: true, encoding: .utf8)
            var input = CommandLineInput()
            input.configPath = config
            input.targetPath = path
            input.strategy = strategy.rawValue
            input.source = SourceSettings(host: emulator.host, token: emulator.token, warehouseID: emulator.warehouseID)
            let summary = try await Session.replicate(input, logger: Self.logger)
            #expect(summary.succeeded, "\(summary.text)")
            #expect(try Database(path: path).connect().scalar("SELECT count(*) FROM tpch.orders")?.integerValue == 0)
        }
    }
}
