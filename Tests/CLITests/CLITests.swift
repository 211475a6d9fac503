import DBDuckTesting
import DuckDB
import Foundation
import Testing

/// The binary as users run it: stdout, stderr and exit status.
@Suite(.serialized) struct CLITests {
    @Test func helpListsEveryCommandAndVersionNamesDuckDB() throws {
        let help = try CLIProcess.run(["--help"], environment: CLIProcess.environment(nil))
        #expect(help.status == 0)
        for command in ["replicate", "plan", "tables", "analyze", "bench", "version"] {
            #expect(help.stdout.contains(command), "--help misses \(command)")
        }
        let version = try CLIProcess.run(["version"], environment: CLIProcess.environment(nil))
        #expect(version.status == 0)
        #expect(version.stdout.contains("DuckDB v2.0.1"))
    }

    @Test func badUsageExits64WithTheReason() throws {
        let env = CLIProcess.environment(nil).merging(["DATABRICKS_HOST": "http://127.0.0.1:9", "DATABRICKS_TOKEN": "x"]) { $1 }
        let noTables = try CLIProcess.run(["replicate", "--to", CLIProcess.scratch("a.duckdb")], environment: env)
        #expect(noTables.status == 64)
        #expect(noTables.stderr.contains("Error: name the tables to copy"))
        #expect(noTables.stderr.contains("Usage: dbduck replicate"), "a usage error shows the usage")
        let strategy = try CLIProcess.run(["replicate", "a.b.c", "--to", "x.duckdb", "--strategy", "turbo"], environment: env)
        #expect(strategy.status == 64)
        #expect(strategy.stderr.contains("'turbo' is invalid for '--strategy"))
        #expect(strategy.stderr.contains("'auto', 'basic', 'batch', 'parquet' or 'streaming'"))
        let mode = try CLIProcess.run(["replicate", "a.b.c", "--to", "x.duckdb", "--mode", "sometimes"], environment: env)
        #expect(mode.status == 64)
        #expect(mode.stderr.contains("'full', 'append', 'merge', 'cdf' or 'auto'"))
        let config = CLIProcess.scratch("dbduck.yml")
        try "tables: [a.b.c]\ndefaults:\n  chunk_size: 10k\n".write(toFile: config, atomically: true, encoding: .utf8)
        let bad = try CLIProcess.run(["replicate", "--config", config, "--to", "x.duckdb"], environment: env)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("Error: dbduck.yml:3: 'chunk_size' must be a positive integer, got \"10k\". Write e.g. chunk_size: 100000."))
        let noHost = try CLIProcess.run(["replicate", "a.b.c", "--to", "x.duckdb"], environment: CLIProcess.environment(nil))
        #expect(noHost.status == 64)
        #expect(noHost.stderr.contains("DATABRICKS_HOST"), "\(noHost.stderr)")
    }

    @Test func jsonSummaryOnStdoutProgressOnStderr() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            let path = CLIProcess.scratch("t.duckdb")
            let result = try CLIProcess.run(["replicate", "samples.tpch.*", "--to", path, "--json", "--parallel-tables", "2"],
                                            environment: CLIProcess.environment(emulator))
            #expect(result.status == 0, "\(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let tables = try #require(json["tables"] as? [[String: Any]])
            #expect(tables.count == 2)
            #expect(tables.allSatisfy { $0["status"] as? String == "succeeded" })
            #expect(result.stderr.contains("samples.tpch.lineitem -> tpch.lineitem"))
            #expect(!result.stderr.contains(emulator.token))
        }
    }

    @Test func aMissingTableFailsAloneAndJSONSaysSo() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            let path = CLIProcess.scratch("t.duckdb")
            let result = try CLIProcess.run(["replicate", "samples.tpch.orders", "main.demo.no_such_table", "--to", path, "--json"],
                                            environment: CLIProcess.environment(emulator))
            #expect(result.status == 1, "\(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let tables = try #require(json["tables"] as? [[String: Any]])
            #expect(tables.count == 2)
            let missing = try #require(tables.first { $0["source"] as? String == "main.demo.no_such_table" })
            #expect(missing["status"] as? String == "failed")
            #expect((missing["error"] as? String)?.contains("cannot read the table's columns") == true, "\(missing)")
            let connection = try Database(path: path).connect()
            #expect(try connection.scalar("SELECT count(*) FROM tpch.orders")?.integerValue == 15000)
            let column = try CLIProcess.run(["replicate", "samples.tpch.orders", "--to", CLIProcess.scratch("u.duckdb"), "--primary-key", "nope", "--mode", "merge"],
                                            environment: CLIProcess.environment(emulator))
            #expect(column.status == 64, "\(column.stderr)")
            #expect(column.stderr.contains("has no column 'nope'"))
        }
    }

    @Test func aFailedTableExits1AndTheOthersStillCommit() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01, faults: "fail_statement,match=o_orderkey,message=[DELTA_FILE_NOT_FOUND] gone") { emulator in
            let path = CLIProcess.scratch("t.duckdb")
            let result = try CLIProcess.run(["replicate", "samples.tpch.lineitem", "samples.tpch.orders", "--to", path],
                                            environment: CLIProcess.environment(emulator))
            #expect(result.status == 1)
            #expect(result.stdout.contains("1 of 2 tables copied"))
            #expect(result.stdout.contains("FAILED  samples.tpch.orders"))
            #expect(result.stdout.contains("DELTA_FILE_NOT_FOUND"))
            let connection = try Database(path: path).connect()
            #expect(try connection.scalar("SELECT count(*) FROM tpch.lineitem")?.integerValue == 60012)
        }
    }

    @Test func aDatabaseInUseFailsClearlyAndHarmsNothing() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            let path = CLIProcess.scratch("t.duckdb")
            let first = try CLIProcess.run(["replicate", "samples.tpch.orders", "--to", path], environment: CLIProcess.environment(emulator))
            #expect(first.status == 0, "\(first.stderr)")
            // Another process holds the file open for writing.
            let python = Process()
            python.executableURL = URL(fileURLWithPath: CLIProcess.repositoryRoot + "/.venv/bin/python")
            python.arguments = ["-c", "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('ok', flush=True); time.sleep(30)", path]
            let out = Pipe()
            python.standardOutput = out
            try python.run()
            defer { python.terminate() }
            _ = out.fileHandleForReading.availableData   // "ok": the lock is held
            let second = try CLIProcess.run(["replicate", "samples.tpch.orders", "--to", path], environment: CLIProcess.environment(emulator))
            #expect(second.status == 1)
            #expect(second.stderr.contains("is in use by another process"), "\(second.stderr)")
            let json = try CLIProcess.run(["replicate", "samples.tpch.orders", "--to", path, "--json"], environment: CLIProcess.environment(emulator))
            #expect(json.status == 1)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
            let errors = try #require(document["errors"] as? [[String: String]])
            #expect(errors.count == 1 && errors[0]["kind"] == "run", "\(errors)")
            #expect(errors.first?["message"]?.contains("is in use by another process") == true, "\(errors)")
            python.terminate()
            python.waitUntilExit()
            let connection = try Database(path: path).connect()
            #expect(try connection.scalar("SELECT count(*) FROM tpch.orders")?.integerValue == 15000)
        }
    }

    @Test func killDash9MidLoadLeavesThePreviousCopyAndTheNextRunSucceeds() async throws {
        let data = try EmulatorProcess.scratchCopy(of: EmulatorProcess.seededDataDirectory(scale: 0.01))
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await EmulatorProcess.withRunning(data: data, extraArguments: ["--chunk-rows", "2000"]) { emulator in
            let path = CLIProcess.scratch("t.duckdb")
            let env = CLIProcess.environment(emulator)
            let first = try CLIProcess.run(["replicate", "samples.tpch.lineitem", "--to", path], environment: env)
            #expect(first.status == 0, "\(first.stderr)")
            // Slow downloads so the kill lands mid-load.
            try await emulator.setFaults("slow,bps=40000")
            let (process, _, err) = try CLIProcess.start(["replicate", "samples.tpch.lineitem", "--to", path], environment: env)
            var seen = ""
            let deadline = Date().addingTimeInterval(60)
            while !seen.contains("-> tpch.lineitem") && Date() < deadline {
                seen += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
            }
            try await Task.sleep(for: .seconds(2))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            try await emulator.clearFaults()
            do {
                let connection = try Database(path: path).connect()
                #expect(try connection.scalar("SELECT count(*) FROM tpch.lineitem")?.integerValue == 60012)
                #expect(try connection.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '\\_dbduck\\_%' ESCAPE '\\'")?.integerValue == 0,
                        "a staging table outlived the killed run")
            }
            let again = try CLIProcess.run(["replicate", "samples.tpch.lineitem", "--to", path], environment: env)
            #expect(again.status == 0, "\(again.stderr)")
        }
    }

    @Test func ctrlCCancelsRollsBackAndRemovesStagedFiles() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01, extraArguments: ["--chunk-rows", "2000"]) { emulator in
            let path = CLIProcess.scratch("t.duckdb")
            // A temporary directory of its own: other suites stage files in the shared one meanwhile.
            let scratch = (CLIProcess.scratch("tmp") as NSString).deletingLastPathComponent + "/tmpdir"
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            var env = CLIProcess.environment(emulator)
            env["TMPDIR"] = scratch
            let first = try CLIProcess.run(["replicate", "samples.tpch.lineitem", "--to", path], environment: env)
            #expect(first.status == 0, "\(first.stderr)")
            try await emulator.setFaults("slow,bps=40000")
            let staged = Set((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? [])
            let (process, out, err) = try CLIProcess.start(["replicate", "samples.tpch.lineitem", "--to", path, "--strategy", "parquet"],
                                                           environment: env)
            var seen = ""
            let deadline = Date().addingTimeInterval(60)
            while !seen.contains("-> tpch.lineitem") && Date() < deadline {
                seen += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
            }
            try await Task.sleep(for: .seconds(2))
            kill(process.processIdentifier, SIGINT)
            let stopBy = Date().addingTimeInterval(30)
            while process.isRunning && Date() < stopBy { try await Task.sleep(for: .milliseconds(100)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL); Issue.record("SIGINT did not stop dbduck within 30 s") }
            process.waitUntilExit()
            #expect(process.terminationStatus == 130, "an interrupted run exits 130")
            let summary = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(summary.contains("FAILED  samples.tpch.lineitem -> tpch.lineitem: interrupted (its previous copy is unchanged)"), "\(summary)")
            try await emulator.clearFaults()
            let connection = try Database(path: path).connect()
            #expect(try connection.scalar("SELECT count(*) FROM tpch.lineitem")?.integerValue == 60012)
            let now = Set((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? [])
            #expect(now.subtracting(staged).filter { $0.hasPrefix("dbduck-stage-") }.isEmpty, "staged Parquet files left behind")
        }
    }
}
