import DBDuckTesting
import DuckDB
import Foundation
import Testing

// Nested in CLITests, whose tests run one at a time (see FailureMessageTests).
extension CLITests {
    /// Every exit status tells the truth, and `--json` always prints one JSON document.
    @Suite struct ExitStatusTests {
        static func document(_ result: CLIProcess.Result, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                         "stdout is not one JSON document: \(result.stdout)", sourceLocation: sourceLocation)
        }

        static func errors(_ json: [String: Any]) -> [[String: String]] { json["errors"] as? [[String: String]] ?? [] }

        @Test func aTableDbduckDidNotCreateIsRefusedAloneUntilReplacingIsAllowed() async throws {
            try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
                let path = CLIProcess.scratch("t.duckdb")
                do {
                    let connection = try Database(path: path).connect()
                    try connection.execute("CREATE SCHEMA tpch; CREATE TABLE tpch.orders (note VARCHAR); INSERT INTO tpch.orders VALUES ('mine')")
                }
                let env = CLIProcess.environment(emulator)
                let tables = ["samples.tpch.orders", "samples.tpch.lineitem"]

                let plan = try CLIProcess.run(["plan"] + tables + ["--to", path], environment: env)
                #expect(plan.status == 0, "\(plan.stderr)")
                #expect(plan.stdout.contains("samples.tpch.orders -> tpch.orders: cannot be copied: tpch.orders already exists in \(path) and dbduck did not create it"),
                        "\(plan.stdout)")

                let refused = try CLIProcess.run(["replicate"] + tables + ["--to", path, "--json"], environment: env)
                #expect(refused.status == 1, "\(refused.stderr)")
                let json = try Self.document(refused)
                #expect(json["exitStatus"] as? Int == 1)
                let error = try #require(Self.errors(json).first)
                #expect(Self.errors(json).count == 1)
                #expect(error["kind"] == "table")
                #expect(error["target"] == "tpch.orders")
                let message = error["message"] ?? ""
                #expect(message.contains("target: { replace_unmanaged: true }") && message.contains("--replace-unmanaged"), "\(message)")
                do {
                    let connection = try Database(path: path).connect()
                    #expect(try connection.scalar("SELECT note FROM tpch.orders")?.stringValue == "mine", "the user's table was touched")
                    #expect(try connection.scalar("SELECT count(*) FROM tpch.lineitem")?.integerValue == 60012, "the other table was not copied")
                }

                let replaced = try CLIProcess.run(["replicate", "samples.tpch.orders", "--to", path, "--replace-unmanaged"], environment: env)
                #expect(replaced.status == 0, "\(replaced.stderr)")
                // Now dbduck created it: the next run replaces it without being told.
                let again = try CLIProcess.run(["replicate", "samples.tpch.orders", "--to", path], environment: env)
                #expect(again.status == 0, "\(again.stderr)")
                let connection = try Database(path: path).connect()
                #expect(try connection.scalar("SELECT count(*) FROM tpch.orders")?.integerValue == 15000)
            }
        }

        @Test func replicateHelpDocumentsTheOptionsAndStatuses() throws {
            let help = try CLIProcess.run(["replicate", "--help"], environment: CLIProcess.environment(nil))
            #expect(help.status == 0)
            let text = help.stdout.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(separator: " ")
            for phrase in ["--replace-unmanaged", "With --config, tables named here pick among the config's tables",
                           "130 interrupted", "64 bad usage or config"] {
                #expect(text.contains(phrase), "replicate --help misses \(phrase)")
            }
        }

        @Test func anUnreachableWorkspaceIsOneJSONDocumentWithTheRunsError() throws {
            let env = CLIProcess.environment(nil).merging(["DATABRICKS_HOST": "http://127.0.0.1:9", "DATABRICKS_TOKEN": "x",
                                                           "DATABRICKS_WAREHOUSE_ID": "w"]) { $1 }
            for arguments in [["replicate", "main.demo.*", "--to", CLIProcess.scratch("t.duckdb")], ["plan", "main.demo.t"], ["tables", "main.*"]] {
                let result = try CLIProcess.run(arguments + ["--json"], environment: env)
                #expect(result.status == 1, "\(arguments): \(result.stderr)")
                let json = try Self.document(result)
                #expect(json["exitStatus"] as? Int == 1)
                #expect(Self.errors(json).first?["kind"] == "run", "\(arguments)")
                #expect(Self.errors(json).first?["message"]?.contains("connection refused") == true, "\(arguments): \(result.stdout)")
                #expect(!result.stdout.contains("matches no table"), "an unreachable workspace is not the pattern's fault")
            }
        }

        @Test func usageErrorsExit64AndJSONSaysUsage() throws {
            let env = CLIProcess.environment(nil).merging(["DATABRICKS_HOST": "http://127.0.0.1:9", "DATABRICKS_TOKEN": "x"]) { $1 }
            let path = CLIProcess.scratch("t.duckdb")
            // A negative number is a value, not an option: both spellings get the same message.
            let spaced = try CLIProcess.run(["replicate", "a.b.c", "--to", path, "--chunk-size", "-1"], environment: env)
            let joined = try CLIProcess.run(["replicate", "a.b.c", "--to", path, "--chunk-size=-1"], environment: env)
            #expect(spaced.status == 64 && joined.status == 64)
            #expect(spaced.stderr.contains("Error: --chunk-size must be a positive integer, got -1."), "\(spaced.stderr)")
            #expect(spaced.stderr == joined.stderr)
            let parallel = try CLIProcess.run(["replicate", "a.b.c", "--to", path, "--parallel-tables", "-2"], environment: env)
            #expect(parallel.stderr.contains("Error: --parallel-tables must be a positive integer, got -2."), "\(parallel.stderr)")
            let sample = try CLIProcess.run(["analyze", "a.b.c", "--sample", "-5"], environment: env)
            #expect(sample.status == 64)
            #expect(sample.stderr.contains("--sample must be a row count, or 0 for whole tables, got -5."), "\(sample.stderr)")

            // Rejected by the parser or found after it: one document either way.
            for arguments in [["replicate", "a.b.c", "--to", path, "--strategy", "turbo", "--json"],
                              ["replicate", "a.b.c", "--to", path, "--chunk-size", "-1", "--json"]] {
                let result = try CLIProcess.run(arguments, environment: env)
                #expect(result.status == 64, "\(arguments)")
                let json = try Self.document(result)
                #expect(json["exitStatus"] as? Int == 64)
                #expect(Self.errors(json).map { $0["kind"] } == ["usage"], "\(arguments)")
            }
            #expect(!FileManager.default.fileExists(atPath: path), "a refused command created the target")
        }

        @Test func aWildcardOverAnUnknownSchemaIsAUsageError() async throws {
            try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
                let result = try CLIProcess.run(["replicate", "samples.no_such_schema.*", "--to", CLIProcess.scratch("t.duckdb"), "--json"],
                                                environment: CLIProcess.environment(emulator))
                #expect(result.status == 64, "\(result.stderr)")
                let error = try #require(Self.errors(try Self.document(result)).first)
                #expect(error["kind"] == "usage")
                #expect(error["message"]?.contains("samples.no_such_schema.* matches no table") == true, "\(error)")
            }
        }

        @Test func tablesOnTheCommandLinePickAmongTheConfigsTables() async throws {
            try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
                let path = CLIProcess.scratch("t.duckdb")
                let config = (path as NSString).deletingLastPathComponent + "/dbduck.yml"
                try """
                target: { path: \(path) }
                tables:
                  - { name: samples.tpch.orders, target: picked_orders, columns: [o_orderkey, o_totalprice] }
                  - samples.tpch.lineitem
                """.write(toFile: config, atomically: true, encoding: .utf8)
                let env = CLIProcess.environment(emulator)
                let picked = try CLIProcess.run(["replicate", "samples.tpch.orders", "--config", config], environment: env)
                #expect(picked.status == 0, "\(picked.stderr)")
                #expect(picked.stdout.contains("1 of 1 table copied"), "\(picked.stdout)")
                do {
                    let connection = try Database(path: path).connect()
                    // The config's target and columns apply to the picked table; the other was not copied.
                    #expect(try connection.scalar("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'picked_orders'")?.integerValue == 2)
                    #expect(try connection.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'lineitem'")?.integerValue == 0)
                }
                let unknown = try CLIProcess.run(["replicate", "samples.tpch.customer", "--config", config], environment: env)
                #expect(unknown.status == 64, "\(unknown.stderr)")
                #expect(unknown.stderr.contains("samples.tpch.customer is not among the tables the config's `tables:` selects"), "\(unknown.stderr)")
            }
        }
    }
}
