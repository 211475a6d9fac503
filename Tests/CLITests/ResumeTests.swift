import DBDuckTesting
import DuckDB
import Foundation
import Testing

/// An interrupted full copy continues where its last checkpoint left it: the rows land exactly once,
/// the chunks already copied are not downloaded again, and the previous copy stays until the swap.
@Suite(.serialized) struct ResumeTests {
    typealias Copy = InterruptedCopy
    static let lineitem = "samples.tpch.lineitem"
    static let emulatorArguments = ["--chunk-rows", "\(InterruptedCopy.chunkRows)"]

    static func arguments(_ path: String, checkpoint: String, extra: [String] = []) -> [String] {
        ["replicate", lineitem, "--to", path, "--download-parallelism", "1", "--checkpoint-every", checkpoint] + extra
    }

    /// A plain copy: its fingerprint and the bytes it downloads.
    static func reference(_ emulator: EmulatorProcess, tables: [String] = [lineitem]) async throws -> (String, Int64) {
        let path = CLIProcess.scratch("reference.duckdb")
        let before = try await Copy.downloadBytes(emulator)
        let result = try CLIProcess.run(["replicate"] + tables + ["--to", path], environment: CLIProcess.environment(emulator))
        #expect(result.status == 0, "\(result.stderr)")
        return (path, try await Copy.downloadBytes(emulator) - before)
    }

    static func expectNothingSaved(_ path: String) throws {
        #expect(try Copy.savedProgress(path).isEmpty, "the progress record outlived the copy")
        #expect(try Copy.resumeStagingTables(path) == 0, "a staging table outlived the copy")
    }

    @Test func aCopyKilledAtThirtySixtyAndNinetyPercentResumesExactlyAndDownloadsEachChunkAboutOnce() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01, extraArguments: Self.emulatorArguments) { emulator in
            let env = CLIProcess.environment(emulator)
            let (reference, copyBytes) = try await Self.reference(emulator)
            let expected = try Copy.fingerprint(reference, table: "tpch.lineitem")
            #expect(expected.first?.integerValue == Int128(Copy.lineitemRows))
            let chunkBytes = copyBytes / Int64(Copy.lineitemChunks)
            let interval = chunkBytes * 4
            for fraction in [0.3, 0.6, 0.9] {
                let path = CLIProcess.scratch("copy.duckdb")
                try FileManager.default.copyItem(atPath: reference, toPath: path)   // a previous copy to keep intact
                let arguments = Self.arguments(path, checkpoint: "\(interval)")
                let before = try await Copy.downloadBytes(emulator)
                try await Copy.run(arguments, environment: env, emulator: emulator,
                                   downloads: Int(Double(Copy.lineitemChunks) * fraction), bytesPerSecond: Int(chunkBytes * 2))
                #expect(try Copy.fingerprint(path, table: "tpch.lineitem") == expected, "the previous copy changed before the swap")
                let saved = try #require(try Copy.savedProgress(path)["tpch.lineitem"], "nothing saved at \(fraction)")
                #expect(saved.chunksDone > 0 && saved.chunksDone < Copy.lineitemChunks)
                #expect(saved.chunks == Copy.lineitemChunks)

                let again = try CLIProcess.run(arguments, environment: env)
                #expect(again.status == 0, "\(again.stderr)")
                #expect(again.stdout.contains("resumed after"), "\(again.stdout)")
                #expect(try Copy.fingerprint(path, table: "tpch.lineitem") == expected, "rows lost or doubled at \(fraction)")
                let downloaded = try await Copy.downloadBytes(emulator) - before
                // Every chunk at least once; again only what the kill lost: the chunks since the last
                // checkpoint (under one interval, plus the chunk that crossed it) and the one in flight.
                // Chunk sizes vary a little around their mean, hence the half chunk of slack.
                #expect(downloaded >= copyBytes)
                #expect(downloaded <= copyBytes + interval + chunkBytes * 5 / 2,
                        "downloaded \(downloaded) bytes for a \(copyBytes)-byte copy at \(fraction)")
                try Self.expectNothingSaved(path)
            }
        }
    }

    @Test func ctrlCKeepsTheStatementAndTheNextRunFetchesOnlyTheRemainingChunks() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01, extraArguments: Self.emulatorArguments) { emulator in
            let env = CLIProcess.environment(emulator)
            let (reference, _) = try await Self.reference(emulator)
            let path = CLIProcess.scratch("copy.duckdb")
            let arguments = Self.arguments(path, checkpoint: "1")   // every chunk
            try await Copy.run(arguments, environment: env, emulator: emulator, downloads: 15, signal: SIGINT)
            let saved = try #require(try Copy.savedProgress(path)["tpch.lineitem"])

            let plan = try CLIProcess.run(["plan", Self.lineitem, "--to", path, "--checkpoint-every", "1"], environment: env)
            #expect(plan.status == 0, "\(plan.stderr)")
            #expect(plan.stdout.contains("resumes after chunk \(saved.chunksDone) of \(Copy.lineitemChunks)"), "\(plan.stdout)")

            let statements = try await emulator.statementCount()
            let again = try CLIProcess.run(arguments, environment: env)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("resumed after"), "\(again.stdout)")
            // The saved version is pinned without asking, and the saved statement still serves its chunks.
            #expect(try await emulator.statementCount() == statements)
            #expect(try Copy.fingerprint(path, table: "tpch.lineitem") == Copy.fingerprint(reference, table: "tpch.lineitem"))
            try Self.expectNothingSaved(path)
        }
    }

    @Test func aClosedStatementIsRunAgainAtTheSavedVersionAndContinued() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01, extraArguments: Self.emulatorArguments) { emulator in
            let env = CLIProcess.environment(emulator)
            let (reference, copyBytes) = try await Self.reference(emulator)
            let path = CLIProcess.scratch("copy.duckdb")
            let chunkBytes = copyBytes / Int64(Copy.lineitemChunks)
            let arguments = Self.arguments(path, checkpoint: "\(chunkBytes * 3)")
            let before = try await Copy.downloadBytes(emulator)
            try await Copy.run(arguments, environment: env, emulator: emulator, downloads: 16)
            let saved = try #require(try Copy.savedProgress(path)["tpch.lineitem"])
            try await Copy.close(emulator, statement: saved.statement)

            let statements = try await emulator.statementCount()
            let again = try CLIProcess.run(arguments, environment: env)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("resumed after"), "\(again.stdout)")
            #expect(try await emulator.statementCount() == statements + 1, "the query should run again exactly once")
            #expect(try Copy.fingerprint(path, table: "tpch.lineitem") == Copy.fingerprint(reference, table: "tpch.lineitem"))
            let downloaded = try await Copy.downloadBytes(emulator) - before
            #expect(downloaded <= copyBytes + chunkBytes * 3 + chunkBytes * 5 / 2)
            try Self.expectNothingSaved(path)
        }
    }

    @Test func aResultSplitIntoOtherChunksStartsTheCopyOverAndSaysWhy() async throws {
        let path = CLIProcess.scratch("copy.duckdb")
        let expected = try await EmulatorProcess.withRunning(seedScale: 0.01, extraArguments: Self.emulatorArguments) { emulator in
            let (reference, _) = try await Self.reference(emulator)
            try await Copy.run(Self.arguments(path, checkpoint: "1"), environment: CLIProcess.environment(emulator),
                               emulator: emulator, downloads: 12)
            #expect(try Copy.savedProgress(path)["tpch.lineitem"] != nil)
            return try Copy.fingerprint(reference, table: "tpch.lineitem")
        }
        // Another warehouse run: the statement is unknown there, and it cuts the rows differently.
        try await EmulatorProcess.withRunning(seedScale: 0.01, extraArguments: ["--chunk-rows", "3000"]) { emulator in
            let again = try CLIProcess.run(Self.arguments(path, checkpoint: "1"), environment: CLIProcess.environment(emulator))
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("started over: the query run again splits its rows into other chunks"), "\(again.stdout)")
            #expect(try Copy.fingerprint(path, table: "tpch.lineitem") == expected)
            try Self.expectNothingSaved(path)
        }
    }

    @Test func aSourceChangedBetweenRunsIsStillCopiedAtTheSavedVersion() async throws {
        let data = try EmulatorProcess.scratchCopy(of: EmulatorProcess.seededDataDirectory(scale: 0.01))
        defer { try? FileManager.default.removeItem(atPath: data) }
        try await EmulatorProcess.withRunning(data: data, extraArguments: Self.emulatorArguments) { emulator in
            let env = CLIProcess.environment(emulator)
            try await Copy.sql(emulator, "CREATE SCHEMA IF NOT EXISTS main.resume",
                               "CREATE TABLE main.resume.big AS SELECT * FROM samples.tpch.lineitem")
            let (reference, _) = try await Self.reference(emulator, tables: ["main.resume.big"])
            let path = CLIProcess.scratch("copy.duckdb")
            let arguments = ["replicate", "main.resume.big", "--to", path, "--download-parallelism", "1", "--checkpoint-every", "1"]
            try await Copy.run(arguments, environment: env, emulator: emulator, downloads: 14)
            #expect(try Copy.savedProgress(path)["resume.big"] != nil)
            try await Copy.sql(emulator, "DELETE FROM main.resume.big WHERE l_orderkey < 20000")

            let again = try CLIProcess.run(arguments + ["--json"], environment: env)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.contains("resumed after"), "\(again.stdout)")
            #expect(try Copy.fingerprint(path, table: "resume.big") == Copy.fingerprint(reference, table: "resume.big"))
            let version = try Database(path: reference, configuration: .init(readOnly: true)).connect()
                .scalar("SELECT max(source_version) FROM _dbduck.runs")?.integerValue
            #expect(again.stdout.contains("\"sourceVersion\" : \(version ?? -1)"), "\(again.stdout)")

            // The next run reads the version the source has now.
            let next = try CLIProcess.run(arguments, environment: env)
            #expect(next.status == 0, "\(next.stderr)")
            let rows = try Copy.fingerprint(path, table: "resume.big").first?.integerValue ?? 0
            #expect(rows > 0 && rows < Int128(Copy.lineitemRows))
        }
    }

    @Test func changedSettingsOrRestartDiscardTheSavedCopyWithAMessage() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01, extraArguments: Self.emulatorArguments) { emulator in
            let env = CLIProcess.environment(emulator)
            let (reference, _) = try await Self.reference(emulator)
            let expected = try Copy.fingerprint(reference, table: "tpch.lineitem")
            let path = CLIProcess.scratch("copy.duckdb")
            try await Copy.run(Self.arguments(path, checkpoint: "1"), environment: env, emulator: emulator, downloads: 10)
            #expect(try Copy.savedProgress(path)["tpch.lineitem"] != nil)

            // Another strategy reads another wire format: the saved chunks cannot continue. Interrupted too.
            let parquet = Self.arguments(path, checkpoint: "1", extra: ["--strategy", "parquet"])
            let plan = try CLIProcess.run(["plan", Self.lineitem, "--to", path, "--strategy", "parquet"], environment: env)
            #expect(plan.stdout.contains("saved progress discarded: settings changed: strategy (streaming -> parquet)"), "\(plan.stdout)")
            try await Copy.run(parquet, environment: env, emulator: emulator, downloads: 10)
            let saved = try #require(try Copy.savedProgress(path)["tpch.lineitem"])
            #expect(saved.chunksDone > 0)

            let restarted = try CLIProcess.run(parquet + ["--restart"], environment: env)
            #expect(restarted.status == 0, "\(restarted.stderr)")
            #expect(restarted.stdout.contains("saved progress discarded: --restart"), "\(restarted.stdout)")
            #expect(!restarted.stdout.contains("resumed after"))
            #expect(try Copy.fingerprint(path, table: "tpch.lineitem") == expected)
            try Self.expectNothingSaved(path)
        }
    }

    @Test func twoTablesInterruptedInOneRunBothResume() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01, extraArguments: Self.emulatorArguments) { emulator in
            let env = CLIProcess.environment(emulator)
            let tables = [Self.lineitem, "samples.tpch.orders"]
            let (reference, _) = try await Self.reference(emulator, tables: tables)
            let path = CLIProcess.scratch("copy.duckdb")
            let arguments = ["replicate"] + tables + ["--to", path, "--parallel-tables", "2", "--download-parallelism", "1",
                                                     "--checkpoint-every", "1"]
            try await Copy.run(arguments, environment: env, emulator: emulator, downloads: 8)
            let saved = try Copy.savedProgress(path)
            #expect(saved["tpch.lineitem"] != nil && saved["tpch.orders"] != nil, "\(saved.keys)")

            let again = try CLIProcess.run(arguments, environment: env)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stdout.components(separatedBy: "resumed after").count == 3, "\(again.stdout)")
            for table in ["tpch.lineitem", "tpch.orders"] {
                #expect(try Copy.fingerprint(path, table: table) == Copy.fingerprint(reference, table: table), "\(table)")
            }
            try Self.expectNothingSaved(path)
        }
    }
}
