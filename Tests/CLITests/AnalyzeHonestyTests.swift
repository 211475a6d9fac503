import DBDuckTesting
import Foundation
import Testing

// Nested in CLITests, whose tests run one at a time: these start dbduck processes that stage
// files in the shared temporary directory, which CLITests checks is left clean.
extension CLITests {
    /// `analyze` exits 1 when a measured copy failed, and compares or recommends nothing from it.
    @Suite struct AnalyzeHonestyTests {
        static func report(_ result: CLIProcess.Result) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        }

        @Test func aFailedStrategyRunExits1AndIsNotCompared() async throws {
            // The third copy of orders (profiled, basic, then batch) fails on the warehouse.
            let fault = "fail_statement,match=o_orderkey,after=2,count=1,message=[INTERNAL_ERROR] boom"
            try await EmulatorProcess.withRunning(seedScale: 0.01, faults: fault) { emulator in
                let result = try CLIProcess.run(["analyze", "samples.tpch.orders", "--sample", "2000", "--json"],
                                                environment: CLIProcess.environment(emulator))
                #expect(result.status == 1, "\(result.stderr)")
                let json = try Self.report(result)
                let failures = try #require(json["failures"] as? [[String: Any]])
                #expect(failures.count == 1)
                let failed = try #require(failures.first?["run"] as? String)
                #expect(failed == "batch")
                #expect((failures.first?["error"] as? String)?.contains("boom") == true)
                let entries = ((json["comparison"] as? [String: Any])?["entries"] as? [[String: Any]]) ?? []
                let compared = entries.compactMap { ($0["run"] as? [String: Any])?["strategy"] as? String }
                #expect(compared.count == 3)
                #expect(!compared.contains(failed))
                #expect(result.stderr.contains("samples.tpch.orders with strategy batch failed"))
                // --json is quiet: failures are said, progress is not.
                #expect(!result.stderr.contains("analyze: profiling"), "\(result.stderr)")
                #expect(!result.stderr.contains(" -> "), "\(result.stderr)")
            }
        }

        @Test func sampleOptionsOutOfRangeAreUsageErrors() throws {
            for (arguments, option) in [(["--sample-seconds", "0"], "--sample-seconds"), (["--sample", "-5"], "--sample")] {
                let result = try CLIProcess.run(["analyze", "samples.tpch.orders"] + arguments, environment: CLIProcess.environment(nil))
                #expect(result.status == 64, "\(arguments): \(result.stderr)")
                #expect(result.stderr.contains(option), "\(result.stderr)")
            }
        }

        @Test func aFailedConfiguredRunRecommendsNothing() async throws {
            let fault = "fail_statement,match=o_orderkey,message=[INTERNAL_ERROR] boom"
            try await EmulatorProcess.withRunning(seedScale: 0.01, faults: fault) { emulator in
                let result = try CLIProcess.run(["analyze", "samples.tpch.orders", "--sample", "2000", "--json"],
                                                environment: CLIProcess.environment(emulator))
                #expect(result.status == 1, "\(result.stderr)")
                let json = try Self.report(result)
                #expect((json["failures"] as? [[String: Any]])?.contains { $0["run"] as? String == "configured" } == true)
                let recommendation = try #require(json["recommendation"] as? [String: Any])
                #expect((recommendation["changes"] as? [Any])?.isEmpty == true)
            }
        }
    }
}
