import DBDuckTesting
import Foundation
import Testing

// Nested in CLITests, whose tests run one at a time: these start dbduck processes that stage
// files in the shared temporary directory, which CLITests checks is left clean.
extension CLITests {
    /// Failures are fast and say one thing once, with advice that fits the cause.
    @Suite struct FailureMessageTests {
        static func run(host: String, token: String = "x", verbose: Bool = false) throws -> (CLIProcess.Result, Double) {
            let env = CLIProcess.environment(nil).merging(["DATABRICKS_HOST": host, "DATABRICKS_TOKEN": token,
                                                           "DATABRICKS_WAREHOUSE_ID": "w"]) { $1 }
            let start = Date()
            let result = try CLIProcess.run(["replicate", "main.demo.t", "--to", CLIProcess.scratch("t.duckdb")] + (verbose ? ["-v"] : []),
                                            environment: env)
            return (result, Date().timeIntervalSince(start))
        }

        static func expectOneClearLine(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(!text.contains(".."), "\(text)", sourceLocation: sourceLocation)
            #expect(!text.contains("Check the name"), "\(text)", sourceLocation: sourceLocation)
            #expect(!text.contains(".build/"), "\(text)", sourceLocation: sourceLocation)
        }

        @Test func aRefusedConnectionFailsFastNamingTheHost() throws {
            let (result, seconds) = try Self.run(host: "http://127.0.0.1:9")
            #expect(result.status == 1)
            #expect(seconds < 20, "took \(seconds) s")
            #expect(result.stderr.contains("http://127.0.0.1:9"), "\(result.stderr)")
            #expect(result.stderr.contains("connection refused"), "\(result.stderr)")
            Self.expectOneClearLine(result.stderr)
        }

        @Test func anUnknownHostFailsFastNamingIt() throws {
            let (result, seconds) = try Self.run(host: "https://no-such-workspace.invalid")
            #expect(result.status == 1)
            #expect(seconds < 20, "took \(seconds) s")
            #expect(result.stderr.contains("no-such-workspace.invalid"), "\(result.stderr)")
            #expect(result.stderr.contains("cannot resolve the host name"), "\(result.stderr)")
            Self.expectOneClearLine(result.stderr)
        }

        @Test func aHostWithoutSchemeGetsHTTPSAndSaysSo() async throws {
            try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
                // The emulator serves plain HTTP: https:// is added, and the TLS failure is said in words.
                let bare = emulator.host.replacingOccurrences(of: "http://", with: "")
                let (result, seconds) = try Self.run(host: bare, token: emulator.token, verbose: true)
                #expect(result.status == 1)
                #expect(seconds < 20, "took \(seconds) s")
                #expect(result.stderr.contains("the host from DATABRICKS_HOST has no scheme; using https://\(bare)"), "\(result.stderr)")
                #expect(result.stderr.contains("TLS handshake failed: the server did not answer in TLS"), "\(result.stderr)")
                #expect(!result.stderr.contains("BoringSSL"), "\(result.stderr)")
                Self.expectOneClearLine(result.stderr)
            }
        }

        @Test func rejectedCredentialsAreNotBlamedOnTheTableName() async throws {
            try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
                let (result, _) = try Self.run(host: emulator.host, token: "dapi-wrong")
                #expect(result.status == 1)
                #expect(result.stderr.contains("Databricks rejected the credentials"), "\(result.stderr)")
                #expect(result.stderr.contains("Check the token from DATABRICKS_TOKEN."), "\(result.stderr)")
                #expect(!result.stderr.contains("dapi-wrong"))
                #expect(result.stderr.range(of: #"HTTP (\d+) \1"#, options: .regularExpression) == nil, "\(result.stderr)")
                Self.expectOneClearLine(result.stderr)
            }
        }

        @Test func anUnknownTableIsBlamedOnTheName() async throws {
            try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
                let (result, _) = try Self.run(host: emulator.host, token: emulator.token)
                // The table fails alone, in the summary; the run exits 1.
                #expect(result.status == 1)
                #expect(result.stdout.contains("FAILED  main.demo.t"), "\(result.stdout)")
                #expect(result.stdout.contains("main.demo.t: cannot read the table's columns"), "\(result.stdout)")
                #expect(result.stdout.contains("Check the name"), "\(result.stdout)")
                #expect(!result.stdout.contains(".."), "\(result.stdout)")
            }
        }
    }
}
