import DBDuckTesting
import DuckDB
import Foundation
import Testing

// Nested in CLITests, whose tests run one at a time: these start dbduck processes that stage
// files in the shared temporary directory, which CLITests checks is left clean.
extension CLITests {
    /// `--to` takes a DuckDB file or a path where one can be made; anything else is refused with
    /// exit 64 before a single request, and left byte for byte as it was.
    @Suite struct TargetFileTests {
        /// A source no request can reach: a refusal before planning is the only way to exit 64 here.
        static var unreachableSource: [String: String] {
            CLIProcess.environment(nil).merging(["DATABRICKS_HOST": "http://127.0.0.1:9", "DATABRICKS_TOKEN": "x",
                                                 "DATABRICKS_WAREHOUSE_ID": "w"]) { $1 }
        }

        static func refuse(_ path: String, saying reason: String) throws {
            let before = FileManager.default.contents(atPath: path)
            let result = try CLIProcess.run(["replicate", "a.b.c", "--to", path], environment: unreachableSource)
            #expect(result.status == 64, "\(path): \(result.stderr)")
            #expect(result.stderr.contains("the target \(path) \(reason)"), "\(result.stderr)")
            #expect(FileManager.default.contents(atPath: path) == before, "\(path) was changed")
        }

        @Test func filesOfOtherKindsAreRefusedAndUntouched() throws {
            let connection = try Database().connect()
            let parquet = CLIProcess.scratch("t.parquet"), csv = CLIProcess.scratch("t.csv"), json = CLIProcess.scratch("t.json")
            try connection.execute("COPY (SELECT 1 AS a, 'x' AS b) TO '\(parquet)' (FORMAT parquet)")
            try connection.execute("COPY (SELECT 1 AS a, 'x' AS b) TO '\(csv)' (FORMAT csv)")
            try connection.execute("COPY (SELECT 1 AS a, 'x' AS b) TO '\(json)' (FORMAT json)")
            let sqlite = CLIProcess.scratch("t.sqlite")
            let python = Process()
            python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            python.arguments = ["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(a)'); c.commit()", sqlite]
            try python.run()
            python.waitUntilExit()
            #expect(python.terminationStatus == 0)
            let noise = CLIProcess.scratch("t.bin")
            try Data((0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 1) }).write(to: URL(fileURLWithPath: noise))

            try Self.refuse(parquet, saying: "is a Parquet file, not a DuckDB database")
            try Self.refuse(csv, saying: "is a text file (CSV or similar), not a DuckDB database")
            try Self.refuse(json, saying: "is a JSON file, not a DuckDB database")
            try Self.refuse(sqlite, saying: "is a SQLite database, not a DuckDB database")
            try Self.refuse(noise, saying: "is a file of another kind")
        }

        @Test func memoryRemoteAndImpossiblePathsAreRefused() throws {
            try Self.refuse(":memory:", saying: "is DuckDB's in-memory database")
            try Self.refuse("s3://bucket/analytics.duckdb", saying: "is a remote location (s3://)")
            try Self.refuse("http://example.com/analytics.duckdb", saying: "is a remote location (http://)")
            try Self.refuse("md:analytics", saying: "is a remote location (md:)")
            let missingDirectory = NSTemporaryDirectory() + "dbduck-no-such-dir-\(UUID().uuidString)/a.duckdb"
            try Self.refuse(missingDirectory, saying: "cannot be created: the directory")
            #expect(!FileManager.default.fileExists(atPath: (missingDirectory as NSString).deletingLastPathComponent))
            let directory = (CLIProcess.scratch("x") as NSString).deletingLastPathComponent
            try Self.refuse(directory, saying: "is a directory")
        }

        @Test func anEmptyFileIsANewDatabaseAndCountsComeFromTheFile() async throws {
            try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
                let path = CLIProcess.scratch("empty.duckdb")
                #expect(FileManager.default.createFile(atPath: path, contents: Data()))
                let result = try CLIProcess.run(["replicate", "samples.tpch.orders", "--to", path, "--json"],
                                                environment: CLIProcess.environment(emulator))
                #expect(result.status == 0, "\(result.stderr)")
                let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
                let table = try #require((json["tables"] as? [[String: Any]])?.first)
                let connection = try Database(path: path).connect()
                let held = try #require(try connection.scalar("SELECT count(*) FROM tpch.orders")?.integerValue)
                #expect(held == 15000)
                let reported = try #require(table["rows"] as? Int)
                #expect(Int128(reported) == held)
            }
        }
    }
}
