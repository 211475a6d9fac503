import Testing
@testable import Profiling

@Suite struct StrategyComparisonTests {
    let runs = [
        StrategyRun(strategy: "basic", seconds: 10, rows: 10_000, bytes: 1_000_000, peakRSSBytes: 60 << 20),
        StrategyRun(strategy: "batch", seconds: 4, rows: 200_000, bytes: 20_000_000, peakRSSBytes: 400 << 20, chunkSize: 100_000),
        StrategyRun(strategy: "parquet", seconds: 2, rows: 200_000, bytes: 20_000_000, peakRSSBytes: 900 << 20),
        StrategyRun(strategy: "streaming", seconds: 1.6, rows: 200_000, bytes: 20_000_000, peakRSSBytes: 120 << 20),
    ]

    @Test func comparesByRowsPerSecondAndMeasuresTheGain() throws {
        let c = StrategyComparison(runs: runs, current: "batch", memoryLimitBytes: 4 << 30)
        #expect(c.entries.map(\.run.strategy) == ["streaming", "parquet", "batch", "basic"])
        #expect(c.best == "streaming")
        let speedup = try #require(c.expectedSpeedup)
        #expect(abs(speedup - 2.5) < 1e-9)                     // 125k rows/s over 50k rows/s
        #expect(abs(c.entries[0].speedupOverSlowest - 125) < 1e-9)   // basic: 1k rows/s on its smaller slice
        #expect(c.summary.hasPrefix("streaming: 2.50x the rows/s of batch"))
    }

    @Test func runsOverTheMemoryLimitCannotWin() {
        let fastButHungry = runs + [StrategyRun(strategy: "huge", seconds: 0.5, rows: 200_000, bytes: 1, peakRSSBytes: 8 << 30)]
        let c = StrategyComparison(runs: fastButHungry, current: "streaming", memoryLimitBytes: 4 << 30)
        #expect(c.entries.first?.run.strategy == "huge")
        #expect(c.entries.first?.fitsMemory == false)
        #expect(c.best == "streaming")
        #expect(c.expectedSpeedup == 1)
    }

    @Test func nearTiesGoToTheLowerPeak() {
        let tie = [StrategyRun(strategy: "parquet", seconds: 1.0, rows: 100, bytes: 1, peakRSSBytes: 900),
                   StrategyRun(strategy: "streaming", seconds: 1.03, rows: 100, bytes: 1, peakRSSBytes: 100)]
        #expect(StrategyComparison(runs: tie, current: nil).best == "streaming")
    }

    @Test func noMeasuredRunsNoWinner() {
        let c = StrategyComparison(runs: [StrategyRun(strategy: "basic", seconds: 0, rows: 0, bytes: 0, peakRSSBytes: 0)], current: "basic")
        #expect(c.best == nil && c.entries.isEmpty && c.expectedSpeedup == nil)
    }
}

@Suite struct RecommendationTests {
    @Test func combinesTheComparisonAndTheBottleneckChanges() {
        let settings = RunSettings(strategy: "batch", chunkSize: 10_000, downloadParallelism: 2, threads: 2)
        let comparison = StrategyComparison(runs: [
            StrategyRun(strategy: "batch", seconds: 4, rows: 100_000, bytes: 1, peakRSSBytes: 1),
            StrategyRun(strategy: "streaming", seconds: 1, rows: 100_000, bytes: 1, peakRSSBytes: 1)], current: "batch")
        let bottlenecks = [
            Bottleneck(kind: .download, share: 0.6, cause: "2 parallel links saturate at 180 MB/s", advice: "raise download_parallelism to 6",
                       change: SettingChange(key: "defaults.download_parallelism", from: "2", to: "6")),
            Bottleneck(kind: .memoryPressure, share: 1.2, cause: "peak", advice: "use streaming",
                       change: SettingChange(key: "defaults.strategy", from: "batch", to: "parquet")),   // the comparison decided already
            Bottleneck(kind: .load, share: 0.3, cause: "appends", advice: "raise chunk_size to 100000",
                       change: SettingChange(key: "defaults.chunk_size", from: "10000", to: "100000")),
        ]
        let rec = Recommendation(settings: settings, comparison: comparison, bottlenecks: bottlenecks)
        #expect(rec.strategy == "streaming" && rec.downloadParallelism == 6 && rec.chunkSize == 100_000 && rec.threads == 2)
        #expect(rec.expectedSpeedup == 4)
        #expect(rec.changes.map(\.setting.key) == ["defaults.strategy", "defaults.download_parallelism", "defaults.chunk_size"])
        #expect(rec.dbduckYAML() == """
            defaults:
              strategy: streaming   # changed
              chunk_size: 100000   # changed
              download_parallelism: 6   # changed
            target:
              threads: 2
            # expected: 4.00x the rows/s of the current strategy, measured on the sample

            """)
    }

    @Test func seedFormUsesTheSeedLevelNames() {
        var rec = Recommendation(strategy: "batch", chunkSize: 50_000, downloadParallelism: 4)
        #expect(rec.seedYAML() == "global:\n  default_optimization_level: pandas\n  default_chunk_size: 50000\n")
        rec.strategy = "streaming"
        let yaml = rec.seedYAML(averageTableBytes: 20_000_000, rows: 6_001_215, roundTripSeconds: 0.012)
        #expect(yaml.contains("default_optimization_level: streaming"))
        #expect(yaml.contains("# - Average table size: 20.0 MB"))
        #expect(yaml.contains("# - Row count: 6001215"))
        #expect(yaml.contains("# - Network latency: 12.0 ms"))
        #expect(["basic", "batch", "parquet", "streaming", "auto"].map(Recommendation.seedLevel) == ["basic", "pandas", "parquet", "streaming", "streaming"])
    }

    @Test func memoryBudgetChangesRenderAsSizes() {
        let settings = RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 8, memoryBudgetBytes: 128_000_000)
        let b = Bottleneck(kind: .download, share: 0.7, cause: "buffer full", advice: "raise",
                           change: SettingChange(key: "defaults.memory_budget", from: "128MB", to: "256MB"))
        let rec = Recommendation(settings: settings, comparison: nil, bottlenecks: [b])
        #expect(rec.memoryBudgetBytes == 256_000_000)
        #expect(rec.dbduckYAML().contains("  memory_budget: 256MB   # changed"))
    }
}
