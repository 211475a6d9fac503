import DBDuckTesting
import Foundation
import Testing

// Nested in CLITests, whose tests run one at a time: these start dbduck processes that stage
// files in the shared temporary directory, which CLITests checks is left clean.
extension CLITests {
    /// A link that stops sending is fetched again once after `stall_timeout`; a second stall fails the
    /// table with the reason, long before the connection would time out on its own.
    @Suite struct StallTimeoutTests {
        static func replicate(_ emulator: EmulatorProcess, stallTimeout: Int = 2) throws -> (CLIProcess.Result, Double) {
            let config = CLIProcess.scratch("dbduck.yml")
            try "defaults: { stall_timeout: \(stallTimeout) }\ntables: [samples.tpch.orders]\n".write(toFile: config, atomically: true, encoding: .utf8)
            let start = Date()
            let result = try CLIProcess.run(["replicate", "--config", config, "--to", CLIProcess.scratch("t.duckdb")],
                                            environment: CLIProcess.environment(emulator))
            return (result, Date().timeIntervalSince(start))
        }

        /// The table's one chunk comes as a link (a download to stall), not inside the response.
        static let linksOnly = ["--hybrid-inline-bytes", "0"]

        @Test func oneStallIsFetchedAgain() async throws {
            try await EmulatorProcess.withRunning(seedScale: 0.01, faults: "stall,seconds=60,count=1",
                                                  extraArguments: Self.linksOnly) { emulator in
                let (result, seconds) = try Self.replicate(emulator)
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stdout.contains("ok      samples.tpch.orders"), "\(result.stdout)")
                #expect(seconds < 40, "took \(seconds) s: the stalled download was waited out, not fetched again")
            }
        }

        @Test func aSecondStallFailsTheTableWithTheReason() async throws {
            try await EmulatorProcess.withRunning(seedScale: 0.01, faults: "stall,seconds=60",
                                                  extraArguments: Self.linksOnly) { emulator in
                let (result, seconds) = try Self.replicate(emulator)
                #expect(result.status == 1)
                #expect(result.stdout.contains("FAILED  samples.tpch.orders"), "\(result.stdout)")
                #expect(result.stdout.contains("no bytes arrived for 2 s (stall_timeout)"), "\(result.stdout)")
                #expect(seconds < 40, "took \(seconds) s")
            }
        }

        @Test func aWarehouseThatNeverStartsTheStatementFailsAfterTheStallTimeout() async throws {
            try await EmulatorProcess.withRunning(seedScale: 0.01, faults: "pending,seconds=600") { emulator in
                let (result, seconds) = try Self.replicate(emulator, stallTimeout: 3)
                #expect(result.status == 1, "\(result.stderr)")
                #expect(result.stderr.contains("PENDING for 3 s without starting it"), "\(result.stderr)")
                #expect(result.stderr.contains("raise stall_timeout"), "\(result.stderr)")
                #expect(seconds < 45, "took \(seconds) s")
            }
        }

        @Test func aSlowQuerySaysWhatTheTableWaitsFor() async throws {
            try await EmulatorProcess.withRunning(seedScale: 0.01, extraArguments: ["--exec-delay", "12"]) { emulator in
                let (result, _) = try Self.replicate(emulator, stallTimeout: 5)
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stderr.contains("samples.tpch.orders -> tpch.orders: warehouse running the query (RUNNING"), "\(result.stderr)")
            }
        }

        @Test func aStalledDownloadSaysWhichChunkItWaitsFor() async throws {
            try await EmulatorProcess.withRunning(seedScale: 0.01, faults: "stall,seconds=60,count=1,after=1",
                                                  extraArguments: ["--chunk-rows", "2000"]) { emulator in
                let (result, _) = try Self.replicate(emulator, stallTimeout: 8)
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stderr.contains(" rows, waiting for chunk "), "\(result.stderr)")
                #expect(result.stderr.contains(" of 8 ("), "\(result.stderr)")
            }
        }
    }
}
