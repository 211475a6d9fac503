import DBDuckTesting
import DuckDB
import Foundation
import Testing

/// Every strategy saves its progress at checkpoints and continues from them: a copy that fails
/// part-way (a download refused, no retries) keeps the chunks it committed, and the next run
/// downloads exactly the others.
@Suite(.serialized) struct StrategyResumeTests {
    static func config(strategy: String, checkpoint: String = "1") -> String {
        """
        defaults: { download_parallelism: 1, checkpoint_every: \(checkpoint), retries: { max: 0 } }
        tables:
          - name: samples.tpch.lineitem
            where: "l_orderkey < 12000"
            strategy: \(strategy)
        """
    }

    @Test(arguments: ["basic", "batch", "parquet", "streaming"])
    func aFailedCopyContinuesFromItsLastCheckpoint(_ strategy: String) async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01, extraArguments: ["--chunk-rows", "2000"]) { emulator in
            let env = CLIProcess.environment(emulator)
            let configPath = CLIProcess.scratch("dbduck.yml")
            try Self.config(strategy: strategy).write(toFile: configPath, atomically: true, encoding: .utf8)
            let reference = CLIProcess.scratch("reference.duckdb")
            let plain = try CLIProcess.run(["replicate", "--config", configPath, "--to", reference, "--checkpoint-every", "0"],
                                           environment: env)
            #expect(plain.status == 0, "\(plain.stderr)")

            let path = CLIProcess.scratch("copy.duckdb")
            let arguments = ["replicate", "--config", configPath, "--to", path]
            try await emulator.setFaults("500,target=storage,after=3")
            let failed = try CLIProcess.run(arguments, environment: env)
            try await emulator.clearFaults()
            #expect(failed.status == 1, "\(failed.stdout)")
            let saved = try #require(try InterruptedCopy.savedProgress(path)["tpch.lineitem"], "\(failed.stdout)")
            #expect(saved.chunksDone >= 1 && saved.chunksDone < saved.chunks, "\(saved)")
            do {   // the failed run left no table behind, only its staging rows
                let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
                #expect(try connection.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'lineitem'")?.integerValue == 0)
                #expect(try connection.scalar("SELECT count(*) FROM tpch._dbduck_resume_lineitem")?.integerValue
                        == Int128(saved.chunksDone * InterruptedCopy.chunkRows))
            }

            let downloads = try await InterruptedCopy.downloadCount(emulator)
            let again = try CLIProcess.run(arguments, environment: env)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("resumed after \(saved.chunksDone * InterruptedCopy.chunkRows) of"), "\(again.stdout)")
            #expect(try await InterruptedCopy.downloadCount(emulator) - downloads == saved.chunks - saved.chunksDone)
            #expect(try InterruptedCopy.fingerprint(path, table: "tpch.lineitem") == InterruptedCopy.fingerprint(reference, table: "tpch.lineitem"))
            #expect(try InterruptedCopy.savedProgress(path).isEmpty)
            #expect(try InterruptedCopy.resumeStagingTables(path) == 0)
        }
    }

    @Test func aRunThatCannotReachTheResultKeepsTheSavedCopy() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01, extraArguments: ["--chunk-rows", "2000"]) { emulator in
            let env = CLIProcess.environment(emulator)
            let configPath = CLIProcess.scratch("dbduck.yml")
            try Self.config(strategy: "streaming").write(toFile: configPath, atomically: true, encoding: .utf8)
            let path = CLIProcess.scratch("copy.duckdb")
            let arguments = ["replicate", "--config", configPath, "--to", path]
            try await emulator.setFaults("500,target=storage,after=3")
            _ = try CLIProcess.run(arguments, environment: env)
            let saved = try #require(try InterruptedCopy.savedProgress(path)["tpch.lineitem"])

            // The saved statement is gone and running the query again fails: the table fails, its saved rows stay.
            try await InterruptedCopy.close(emulator, statement: saved.statement)
            try await emulator.setFaults("fail_statement,match=l_orderkey < 12000,message=[INTERNAL_ERROR] warehouse away")
            let failed = try CLIProcess.run(arguments, environment: env)
            #expect(failed.status == 1, "\(failed.stdout)")
            #expect(failed.stdout.contains("warehouse away"), "\(failed.stdout)")
            #expect(try InterruptedCopy.savedProgress(path)["tpch.lineitem"]?.chunksDone == saved.chunksDone)

            try await emulator.clearFaults()
            let again = try CLIProcess.run(arguments, environment: env)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("resumed after \(saved.chunksDone * InterruptedCopy.chunkRows) of"), "\(again.stdout)")
            let reference = CLIProcess.scratch("reference.duckdb")
            let plain = try CLIProcess.run(["replicate", "--config", configPath, "--to", reference, "--checkpoint-every", "0"],
                                           environment: env)
            #expect(plain.status == 0, "\(plain.stderr)")
            #expect(try InterruptedCopy.fingerprint(path, table: "tpch.lineitem") == InterruptedCopy.fingerprint(reference, table: "tpch.lineitem"))
        }
    }
}
