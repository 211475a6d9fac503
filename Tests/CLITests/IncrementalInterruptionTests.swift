import DBDuckTesting
import Databricks
import DuckDB
import Foundation
import Testing

/// An incremental run killed or interrupted while it reads and applies its window commits nothing:
/// the next run redoes exactly that window and the copy equals a fresh full copy.
@Suite(.serialized) struct IncrementalInterruptionTests {
    static let arguments = ["main.sync.big", "--mode", "cdf", "--primary-key", "l_orderkey,l_linenumber"]

    static func sql(_ emulator: EmulatorProcess, _ statements: String...) async throws {
        let client = try DatabricksClient(workspace: emulator.workspace())
        defer { Task { try? await client.shutdown() } }
        for statement in statements { _ = try await client.execute(StatementRequest(statement)) }
    }

    static func fingerprint(_ path: String) throws -> [Value] {
        let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
        return try connection.query("""
            SELECT count(*), sum(l_extendedprice), sum(hash(l_orderkey, l_linenumber, l_comment, l_quantity)) FROM sync.big
            """).rows().first ?? []
    }

    @Test(arguments: [SIGKILL, SIGINT])
    func anInterruptedWindowIsRedoneExactlyOnce(_ signal: Int32) async throws {
        let data = try EmulatorProcess.scratchCopy(of: EmulatorProcess.seededDataDirectory(scale: 0.01))
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await EmulatorProcess.withRunning(data: data, extraArguments: ["--chunk-rows", "2000"]) { emulator in
            try await Self.sql(emulator, "CREATE SCHEMA IF NOT EXISTS main.sync",
                               "CREATE TABLE main.sync.big TBLPROPERTIES (delta.enableChangeDataFeed = true) AS SELECT * FROM samples.tpch.lineitem")
            let path = CLIProcess.scratch("copy.duckdb")
            let env = CLIProcess.environment(emulator)
            let first = try CLIProcess.run(["replicate"] + Self.arguments + ["--to", path], environment: env)
            #expect(first.status == 0, "\(first.stderr)")
            let before = try Self.fingerprint(path)
            try await Self.sql(emulator, "UPDATE main.sync.big SET l_comment = 'changed', l_quantity = l_quantity + 1 WHERE l_orderkey < 30000",
                               "DELETE FROM main.sync.big WHERE l_orderkey >= 59000")

            try await emulator.setFaults("slow,bps=40000")
            let (process, _, err) = try CLIProcess.start(["replicate"] + Self.arguments + ["--to", path], environment: env)
            var seen = ""
            let deadline = Date().addingTimeInterval(60)
            while !seen.contains("-> sync.big") && Date() < deadline {
                seen += String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
            }
            try await Task.sleep(for: .seconds(2))
            kill(process.processIdentifier, signal)
            let stopBy = Date().addingTimeInterval(30)
            while process.isRunning && Date() < stopBy { try await Task.sleep(for: .milliseconds(100)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL); Issue.record("dbduck did not stop within 30 s") }
            process.waitUntilExit()
            try await emulator.clearFaults()
            #expect(try Self.fingerprint(path) == before, "the interrupted window changed the copy")

            let again = try CLIProcess.run(["replicate"] + Self.arguments + ["--to", path, "--json"], environment: env)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("\"rowsUpdated\" : "), "\(again.stdout)")
            let full = CLIProcess.scratch("full.duckdb")
            let reference = try CLIProcess.run(["replicate", "main.sync.big", "--to", full], environment: env)
            #expect(reference.status == 0, "\(reference.stderr)")
            #expect(try Self.fingerprint(path) == Self.fingerprint(full))
        }
    }
}
