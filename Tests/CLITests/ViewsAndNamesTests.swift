import DBDuckTesting
import DuckDB
import Foundation
import Testing

/// Views copy with every strategy, unpinned; names with backticks, quotes and non-ASCII letters
/// round-trip through replicate, plan and analyze.
@Suite(.serialized) struct ViewsAndNamesTests {
    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func firstTable(_ text: String) throws -> [String: Any] {
        try #require((try json(text)["tables"] as? [[String: Any]])?.first)
    }

    @Test func aViewCopiesWithEveryStrategyAndSaysNotPinned() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            let env = CLIProcess.environment(emulator)
            let path = CLIProcess.scratch("views.duckdb")
            let base = try CLIProcess.run(["replicate", "main.demo.orders_cdf", "--to", path], environment: env)
            #expect(base.status == 0, "\(base.stderr)")
            for strategy in ["basic", "batch", "parquet", "streaming", "auto"] {
                let before = try await emulator.statementCount()
                let run = try CLIProcess.run(["replicate", "main.demo.orders_view", "--to", path, "--strategy", strategy, "--json"],
                                             environment: env)
                let statements = try await emulator.statementCount() - before
                #expect(run.status == 0, "\(strategy): \(run.stderr)")
                let table = try Self.firstTable(run.stdout)
                #expect(table["status"] as? String == "succeeded", "\(strategy): \(table)")
                #expect(table["sourcePin"] as? String == "not pinned", "\(strategy): \(table)")
                #expect(table["sourceVersion"] == nil, "a view has no version: \(table)")
                // No DESCRIBE HISTORY, no DESCRIBE DETAIL: the plain SELECT is the only statement.
                #expect(statements == 1, "\(strategy) ran \(statements) warehouse statements")
                let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
                let expected = try connection.scalar(
                    "SELECT count(*) || '/' || sum(order_id) || '/' || sum(amount) FROM demo.orders_cdf WHERE status <> 'returned'")?.stringValue
                let copied = try connection.scalar(
                    "SELECT count(*) || '/' || sum(order_id) || '/' || sum(amount) FROM demo.orders_view")?.stringValue
                #expect(copied == expected && copied != nil, "\(strategy): view copy \(copied ?? "nil") vs \(expected ?? "nil")")
                let record = try connection.scalar(
                    "SELECT source_pin || '/' || coalesce(CAST(source_version AS VARCHAR), 'NULL') FROM _dbduck.runs WHERE source_table = 'main.demo.orders_view' ORDER BY finished_at DESC LIMIT 1")?.stringValue
                #expect(record == "not pinned/NULL", "\(strategy): _dbduck.runs has \(record ?? "nil")")
            }
            let text = try CLIProcess.run(["replicate", "main.demo.shipped_orders_mv", "--to", path], environment: env)
            #expect(text.status == 0, "\(text.stderr)")
            #expect(text.stdout.contains("main.demo.shipped_orders_mv @not pinned -> demo.shipped_orders_mv"), "\(text.stdout)")
        }
    }

    @Test func planShowsAViewNotPinnedAndModesWithoutCDF() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            let env = CLIProcess.environment(emulator)
            let plan = try CLIProcess.run(["plan", "main.demo.orders_view", "main.demo.orders_cdf"], environment: env)
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(plan.stdout.contains("main.demo.orders_view @not pinned (view) -> demo.orders_view"), "\(plan.stdout)")
            #expect(plan.stdout.contains("main.demo.orders_cdf @v5 -> demo.orders_cdf"), "\(plan.stdout)")
            let json = try CLIProcess.run(["plan", "main.demo.shipped_orders_mv", "--json"], environment: env)
            #expect(json.status == 0, "\(json.stderr)")
            let table = try Self.firstTable(json.stdout)
            #expect(table["pin"] as? String == "not pinned")
            #expect(table["sourceKind"] as? String == "materialized view")
            #expect(table["version"] == nil)
            // cdf asked for explicitly: impossible, said before anything moves.
            let cdf = try CLIProcess.run(["replicate", "main.demo.orders_view", "--to", CLIProcess.scratch("c.duckdb"),
                                          "--mode", "cdf", "--primary-key", "order_id"], environment: env)
            #expect(cdf.status == 64, "\(cdf.stderr)")
            #expect(cdf.stderr.contains("main.demo.orders_view is a view: it has no Delta history, so it has no change data feed"), "\(cdf.stderr)")
            // auto with a key and a cursor merges (the table itself would get cdf).
            let auto = try CLIProcess.run(["plan", "main.demo.orders_view", "main.demo.orders_cdf", "--mode", "auto",
                                           "--primary-key", "order_id", "--cursor", "order_id", "--json"], environment: env)
            #expect(auto.status == 0, "\(auto.stderr)")
            let tables = try #require(try Self.json(auto.stdout)["tables"] as? [[String: Any]])
            let modes = tables.map { (($0["sync"] as? [String: Any])?["mode"] as? String) ?? "?" }
            #expect(modes == ["merge", "cdf"], "\(modes)")
        }
    }

    @Test func namesWithBackticksQuotesAndUnicodeRoundTrip() async throws {
        let data = try EmulatorProcess.scratchCopy(of: EmulatorProcess.seededDataDirectory(scale: 0.01))
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await EmulatorProcess.withRunning(data: data) { emulator in
            try await InterruptedCopy.sql(emulator,
                "CREATE SCHEMA main.`sch\"ema`",
                "CREATE TABLE main.`sch\"ema`.`ta``ble` (`col.dot` BIGINT, `qu\"ote` STRING, `ünï` STRING)",
                "INSERT INTO main.`sch\"ema`.`ta``ble` VALUES (1, 'a', 'ä'), (2, 'b\"', '日本'), (3, NULL, '`')",
                "CREATE TABLE main.`sch\"ema`.`tæbl€` AS SELECT order_id, status FROM main.demo.orders_cdf",
                "CREATE VIEW main.`sch\"ema`.`vïew``s` AS SELECT `col.dot`, `ünï` FROM main.`sch\"ema`.`ta``ble` WHERE `col.dot` > 1")
            let env = CLIProcess.environment(emulator)
            let path = CLIProcess.scratch("names.duckdb")
            for _ in 0..<2 {   // the second run replaces the copies and reads its own records back
                let run = try CLIProcess.run(["replicate", "main.sch\"ema.*", "--to", path, "--json"], environment: env)
                #expect(run.status == 0, "\(run.stderr)")
                let tables = try #require(try Self.json(run.stdout)["tables"] as? [[String: Any]])
                #expect(tables.compactMap { $0["source"] as? String }.sorted() ==
                        ["main.sch\"ema.`ta``ble`", "main.sch\"ema.`vïew``s`", "main.sch\"ema.tæbl€"], "\(tables)")
                #expect(tables.allSatisfy { $0["status"] as? String == "succeeded" }, "\(tables)")
            }
            let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
            let rows = try connection.query("SELECT CAST(\"col.dot\" AS VARCHAR), \"qu\"\"ote\", \"ünï\" FROM \"sch\"\"ema\".\"ta`ble\" ORDER BY \"col.dot\"").rows()
            #expect(rows.map { $0.map { $0.stringValue ?? "NULL" } } == [["1", "a", "ä"], ["2", "b\"", "日本"], ["3", "NULL", "`"]])
            #expect(try connection.scalar("SELECT string_agg(CAST(\"col.dot\" AS VARCHAR) || \"ünï\", ',' ORDER BY 1) FROM \"sch\"\"ema\".\"vïew`s\"")?.stringValue == "2日本,3`")
            #expect(try connection.scalar("SELECT count(*) FROM \"sch\"\"ema\".\"tæbl€\"")?.integerValue == 110)
            #expect(try connection.scalar("SELECT count(*) FROM _dbduck.runs WHERE source_table = 'main.sch\"ema.`ta``ble`' AND status = 'succeeded'")?.integerValue == 2)

            // The name as a user quotes it, one table, through plan and analyze.
            let quoted = "main.`sch\"ema`.`ta``ble`"
            let plan = try CLIProcess.run(["plan", quoted, "--json"], environment: env)
            #expect(plan.status == 0, "\(plan.stderr)")
            let planned = try Self.firstTable(plan.stdout)
            #expect(planned["targetTable"] as? String == "ta`ble")
            #expect(planned["rowCount"] as? Int == 3, "\(planned)")
            #expect(planned["pin"] as? String == "v1", "\(planned)")   // v0 created it, v1 inserted the rows
            let analyze = try CLIProcess.run(["analyze", quoted, "main.`sch\"ema`.`vïew``s`", "--sample", "2", "--json"], environment: env)
            #expect(analyze.status == 0, "\(analyze.stderr)\n\(analyze.stdout)")
            #expect(!analyze.stdout.isEmpty)
        }
    }
}
