import Timing
import Testing
@testable import Profiling

/// analyze names a retry's cause as the error stated it, and recommends nothing from a failed run.
@Suite struct MeasurementHonestyTests {
    let system = SystemInfo(cores: 8, memoryBytes: 16 << 30, operatingSystem: "test")
    let settings = RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 4)

    func retryAdvice(_ detail: String) throws -> Bottleneck {
        let run = SyntheticRun(chunks: 20, parallelism: 4, retries: [2: 2, 5: 2, 9: 2, 14: 2], retryDetail: detail)
        let found = BottleneckAnalyzer().analyze(PhaseProfile(events: run.events()), settings: settings, system: system, memory: nil)
        return try #require(found.first { $0.kind == .retryHeavy })
    }

    @Test func eachRetryCauseGetsItsOwnAdvice() throws {
        let expired = try retryAdvice("chunk 3 attempt 2: HTTP 403 from storage, refreshing the link")
        #expect(expired.advice.hasPrefix("storage rejected presigned links (HTTP 403 from storage, refreshing the link)"))
        #expect(expired.change == nil)
        let server = try retryAdvice("chunk 3 attempt 2: HTTP 500 from storage")
        #expect(server.advice.hasPrefix("the storage or workspace answered with server errors (HTTP 500 from storage)"))
        let reset = try retryAdvice("chunk 3 attempt 2: connection reset during the response from storage")
        #expect(reset.advice.hasPrefix("connections were cut mid-transfer (connection reset during the response from storage)"))
        for advice in [expired.advice, server.advice, reset.advice] {
            #expect(!advice.contains("network path"))
        }
        let throttled = try retryAdvice("chunk 3 attempt 2: HTTP 429 from storage")
        #expect(throttled.change == SettingChange(key: "defaults.download_parallelism", from: "4", to: "2"))
    }

    @Test func aFailedConfiguredRunRecommendsNothingAndFailedStrategiesAreNotCompared() throws {
        // A download-bound run whose bottleneck would recommend more links, had it finished.
        let run = SyntheticRun(parallelism: 2, downloadSeconds: 1.0, loadSeconds: 0.1)
        let used = RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 2)
        let basic = StrategyRun(strategy: "basic", seconds: 10, rows: 1000, bytes: 1, peakRSSBytes: 1)
        let streaming = StrategyRun(strategy: "streaming", seconds: 1, rows: 1000, bytes: 1, peakRSSBytes: 1)
        let finished = AnalysisReport.analyze(events: run.events(), memory: nil, system: system, settings: used,
                                              strategyRuns: [basic, streaming])
        #expect(finished.recommendation.changes.contains { $0.setting.key == "defaults.download_parallelism" })

        let failure = MeasurementFailure(run: MeasurementFailure.configuredRun, table: "main.demo.t", error: "HTTP 403")
        let failed = AnalysisReport.analyze(events: run.events(), memory: nil, system: system, settings: used,
                                            strategyRuns: [basic, streaming], failures: [failure])
        #expect(failed.recommendation.changes.isEmpty)
        #expect(!failed.bottlenecks.isEmpty)        // still reported as measured
        #expect(failed.terminalText().contains("main.demo.t with your settings failed: HTTP 403"))
        #expect(failed.html().contains("Failed measurements"))
    }
}
