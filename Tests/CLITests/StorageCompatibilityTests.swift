import DBDuckTesting
import DuckDB
import Foundation
import Testing

// Nested in CLITests, whose tests run one at a time: these start dbduck processes that stage
// files in the shared temporary directory, which CLITests checks is left clean.
extension CLITests {
    /// A file dbduck creates opens in DuckDB 1.4, 1.5 and 2.0 alike, every column of every type readable.
    @Suite struct StorageCompatibilityTests {
        /// Prints, as JSON, the DuckDB version and per column of demo.all_types its non-null count and
        /// an MD5 of its values as text: reading every value of every column.
        static let reader = """
            import duckdb, hashlib, json, sys
            c = duckdb.connect(sys.argv[1], read_only=True)
            columns = [r[0] for r in c.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'demo' AND table_name = 'all_types' ORDER BY ordinal_position").fetchall()]
            out = {}
            for name in columns:
                q = '"' + name.replace('"', '""') + '"'
                values = [r[0] for r in c.execute(f"SELECT {q}::VARCHAR FROM demo.all_types ORDER BY 1 NULLS LAST").fetchall()]
                present = [v for v in values if v is not None]
                out[name] = [len(present), hashlib.md5("\\x1f".join(present).encode()).hexdigest()]
            print(json.dumps({"version": duckdb.__version__, "columns": out}))
            """

        struct Reading: Decodable {
            var version: String
            var columns: [String: [Value]]
            enum Value: Decodable, Equatable {
                case count(Int), digest(String)
                init(from decoder: any Decoder) throws {
                    let c = try decoder.singleValueContainer()
                    if let n = try? c.decode(Int.self) { self = .count(n) } else { self = .digest(try c.decode(String.self)) }
                }
            }
        }

        static func read(_ path: String, with python: String) throws -> (status: Int32, reading: Reading?, error: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = ["-c", reader, path]
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, try? JSONDecoder().decode(Reading.self, from: data), errors)
        }

        static var current: String { (ProcessInfo.processInfo.environment["DBDUCK_VENV"] ?? CLIProcess.repositoryRoot + "/.venv") + "/bin/python" }

        @Test func everyTypeReadsInDuckDB14And15And20() async throws {
            let older = try ["1.4", "1.5"].map { try DuckDBPythonPackages.python(series: $0) }
            try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
                let path = CLIProcess.scratch("compat.duckdb")
                let result = try CLIProcess.run(["replicate", "main.demo.all_types", "--to", path], environment: CLIProcess.environment(emulator))
                #expect(result.status == 0, "\(result.stderr)")
                let reference = try Self.read(path, with: Self.current)
                let expected = try #require(reference.reading, "DuckDB 2.0 could not read \(path): \(reference.error)")
                #expect(expected.version.hasPrefix("2.0"))
                #expect(expected.columns.count >= 20, "all_types has \(expected.columns.count) columns")
                for python in older {
                    let other = try Self.read(path, with: python)
                    let reading = try #require(other.reading, "\(python) could not read \(path): \(other.error)")
                    #expect(reading.columns == expected.columns, "DuckDB \(reading.version) reads other values than \(expected.version)")
                }
            }
        }

        @Test func storageVersionFromTheConfigAndAnExistingFileKeepsItsFormat() async throws {
            let duckdb15 = try DuckDBPythonPackages.python(series: "1.5")
            try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
                let env = CLIProcess.environment(emulator)
                let config = CLIProcess.scratch("dbduck.yml")
                try "target: { storage_version: latest }\ntables: [main.demo.all_types]\n".write(toFile: config, atomically: true, encoding: .utf8)
                let latest = CLIProcess.scratch("latest.duckdb")
                let first = try CLIProcess.run(["replicate", "--config", config, "--to", latest], environment: env)
                #expect(first.status == 0, "\(first.stderr)")
                #expect(try Self.read(latest, with: duckdb15).status != 0, "DuckDB 1.5 read a file written at storage version latest")
                // Copied again with the default: the file keeps the format it has.
                let again = try CLIProcess.run(["replicate", "main.demo.all_types", "--to", latest], environment: env)
                #expect(again.status == 0, "\(again.stderr)")
                #expect(try Self.read(latest, with: duckdb15).status != 0, "an existing file was rewritten in another format")
                #expect(try Self.read(latest, with: Self.current).reading != nil)

                try "target: { storage_version: 1.4 }\ntables: [main.demo.all_types]\n".write(toFile: config, atomically: true, encoding: .utf8)
                let bad = try CLIProcess.run(["replicate", "--config", config, "--to", CLIProcess.scratch("x.duckdb")], environment: env)
                #expect(bad.status == 64)
                #expect(bad.stderr.contains("'storage_version' must be a DuckDB version such as v1.4.0, or latest, got \"1.4\""), "\(bad.stderr)")
            }
        }
    }
}
