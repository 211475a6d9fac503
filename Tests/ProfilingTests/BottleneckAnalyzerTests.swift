import Timing
import Testing
@testable import Profiling

@Suite struct BottleneckAnalyzerTests {
    let system = SystemInfo(cores: 8, memoryBytes: 16 << 30, operatingSystem: "test")

    func analyze(_ run: SyntheticRun, _ settings: RunSettings, system: SystemInfo? = nil,
                 memory: MemoryTimeline? = nil) -> [Bottleneck] {
        BottleneckAnalyzer().analyze(PhaseProfile(events: run.events()), settings: settings,
                                     system: system ?? self.system, memory: memory)
    }

    @Test func downloadBoundRecommendsMoreParallelLinks() throws {
        let run = SyntheticRun(parallelism: 2, downloadSeconds: 1.0, loadSeconds: 0.1)
        let found = analyze(run, RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 2))
        let top = try #require(found.first)
        #expect(top.kind == .download)
        #expect(top.share > 0.75)
        #expect(top.change == SettingChange(key: "defaults.download_parallelism", from: "2", to: "6"))
        #expect(top.summary.hasPrefix("download: "))
        #expect(top.summary.contains("2 parallel links saturate at "))
        #expect(top.summary.hasSuffix("raise download_parallelism to 6"))
        #expect(found.count >= 2)                 // and the next one
        #expect(found[1].share <= top.share)
    }

    @Test func knownBandwidthSizesTheParallelism() throws {
        // 2 links move 40 MB/s (480 MB in 12 s of download); the link was measured at 160 MB/s: 4x the links.
        let run = SyntheticRun(parallelism: 2, downloadSeconds: 1.0, loadSeconds: 0.1)
        var fast = system
        fast.bandwidthBytesPerSecond = 160e6
        let top = try #require(analyze(run, RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 2), system: fast).first)
        #expect(top.change?.to == "8")
        // At the measured bandwidth, more links cannot help.
        fast.bandwidthBytesPerSecond = 40e6
        let full = try #require(analyze(run, RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 2,
                                                         compression: "none"), system: fast).first)
        #expect(full.kind == .download)
        #expect(full.change == SettingChange(key: "defaults.compression", from: "none", to: "lz4"))
    }

    @Test func fullDownloadBufferRecommendsAMemoryBudget() throws {
        let run = SyntheticRun(parallelism: 8, downloadSeconds: 1.0, loadSeconds: 0.02)
        let few = SyntheticRun(chunks: 3, parallelism: 8, downloadSeconds: 1.0, loadSeconds: 0.02)
        let memory = MemoryTimeline(samples: [], baselineResidentBytes: 50 << 20, peakResidentBytes: 200 << 20,
                                    bufferHighWaterBytes: 128_000_000, intervalSeconds: 0.05)
        let settings = RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 8, memoryBudgetBytes: 128_000_000)
        let found = analyze(few, settings, memory: memory)
        let top = try #require(found.first)
        #expect(top.kind == .download)
        #expect(top.change == SettingChange(key: "defaults.memory_budget", from: "128MB", to: "256MB"))
        #expect(top.cause.contains("the download buffer is full"))
        // A full buffer is the budget at work: reported, but after the time bottleneck.
        #expect(found[1].kind == .memoryPressure && found[1].share == 1)
        #expect(analyze(run, settings).first?.kind == .download)
    }

    @Test func fullBufferInALoadBoundRunKeepsTheBudget() throws {
        let run = SyntheticRun(chunks: 3, parallelism: 8, downloadSeconds: 0.2, loadSeconds: 0.5)
        let memory = MemoryTimeline(samples: [], baselineResidentBytes: 50 << 20, peakResidentBytes: 200 << 20,
                                    bufferHighWaterBytes: 64_000_000, intervalSeconds: 0.05)
        let settings = RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 8, memoryBudgetBytes: 64_000_000)
        let found = analyze(run, settings, memory: memory)
        #expect(found.first?.kind == .load)
        #expect(!found.contains { $0.change?.key == "defaults.memory_budget" })
        let full = try #require(found.first { $0.kind == .memoryPressure })
        #expect(full.summary.contains("waited for DuckDB"))
    }

    @Test func loadBoundRecommendsLargerChunks() throws {
        let run = SyntheticRun(parallelism: 8, downloadSeconds: 0.2, loadSeconds: 0.5)
        let found = analyze(run, RunSettings(strategy: "batch", chunkSize: 10_000, downloadParallelism: 8, threads: 8))
        let top = try #require(found.first)
        #expect(top.kind == .load)
        #expect(top.share > 0.8)
        #expect(top.change == SettingChange(key: "defaults.chunk_size", from: "10000", to: "100000"))
        #expect(top.summary.contains("DuckDB appends"))
        #expect(!found.contains { $0.kind == .download })   // downloads are not a bottleneck here
    }

    @Test func loadBoundOnFewThreadsRecommendsThreads() throws {
        let run = SyntheticRun(parallelism: 8, downloadSeconds: 0.2, loadSeconds: 0.5)
        let top = try #require(analyze(run, RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 8, threads: 2)).first)
        #expect(top.kind == .load)
        #expect(top.change == SettingChange(key: "target.threads", from: "2", to: "8"))
    }

    @Test func loadBoundUnderASmallMemoryLimitRecommendsRaisingIt() throws {
        let run = SyntheticRun(parallelism: 8, downloadSeconds: 0.2, loadSeconds: 0.5)
        let settings = RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 8, threads: 8,
                                   targetMemoryLimitBytes: 100_000_000)
        let found = analyze(run, settings)
        let top = try #require(found.first)
        #expect(top.kind == .load)
        #expect(top.change == SettingChange(key: "target.memory_limit", from: "100MB", to: "200MB"))
        let recommendation = Recommendation(settings: settings, comparison: nil, bottlenecks: found)
        #expect(recommendation.dbduckYAML().contains("memory_limit: 200MB   # changed"))
        // Not where memory is short, nor once the limit is generous.
        let small = SystemInfo(cores: 8, memoryBytes: 1 << 30, operatingSystem: "test")
        #expect(analyze(run, settings, system: small).first?.change == nil)
        var generous = settings
        generous.targetMemoryLimitBytes = 1 << 30
        #expect(analyze(run, generous).first?.change == nil)
    }

    @Test func basicLoadRecommendsStreaming() throws {
        let run = SyntheticRun(parallelism: 2, downloadSeconds: 0.05, loadSeconds: 2.0)
        let top = try #require(analyze(run, RunSettings(strategy: "basic", chunkSize: 1_000, downloadParallelism: 2)).first)
        #expect(top.kind == .load)
        #expect(top.change?.key == "defaults.strategy" && top.change?.to == "streaming")
    }

    @Test func warehouseWaitBound() throws {
        let run = SyntheticRun(chunks: 4, warehouseWaitSeconds: 30, downloadSeconds: 0.1)
        let top = try #require(analyze(run, RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 4)).first)
        #expect(top.kind == .warehouseWait)
        #expect(top.share > 0.9)
        #expect(top.change == nil)
    }

    @Test func decodeAndDecompressBound() throws {
        let decode = SyntheticRun(parallelism: 2, downloadSeconds: 0.05, decodeSeconds: 1.0, loadSeconds: 0.05)
        let top = try #require(analyze(decode, RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 2, threads: 2)).first)
        #expect(top.kind == .decode)
        #expect(top.change == SettingChange(key: "target.threads", from: "2", to: "8"))

        let lz4 = SyntheticRun(parallelism: 2, downloadSeconds: 0.05, decompressSeconds: 1.0, loadSeconds: 0.05)
        var fast = system
        fast.bandwidthBytesPerSecond = 1e9
        let unpack = try #require(analyze(lz4, RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 2, compression: "lz4"), system: fast).first)
        #expect(unpack.kind == .decompress)
        #expect(unpack.change == SettingChange(key: "defaults.compression", from: "lz4", to: "none"))
    }

    @Test func throttlingRetriesLowerTheParallelism() throws {
        let run = SyntheticRun(chunks: 20, parallelism: 4, retries: [2: 2, 5: 2, 9: 2, 14: 2])
        let found = analyze(run, RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 4))
        let retry = try #require(found.first { $0.kind == .retryHeavy })
        #expect(retry.cause.contains("4 retries"))
        #expect(retry.cause.contains("HTTP 503 from storage ×4"))
        #expect(retry.change == SettingChange(key: "defaults.download_parallelism", from: "4", to: "2"))
        // No retries: no retry bottleneck.
        #expect(!analyze(SyntheticRun(chunks: 20), RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 4))
            .contains { $0.kind == .retryHeavy })
    }

    @Test func memoryOverTheLimitComesFirst() throws {
        let run = SyntheticRun(parallelism: 2, downloadSeconds: 1.0, loadSeconds: 0.1)
        let memory = MemoryTimeline(samples: [], baselineResidentBytes: 100 << 20, peakResidentBytes: 5 << 30, intervalSeconds: 0.05)
        let found = analyze(run, RunSettings(strategy: "parquet", chunkSize: 100_000, downloadParallelism: 2, memoryLimitBytes: 4 << 30), memory: memory)
        let top = try #require(found.first)
        #expect(top.kind == .memoryPressure)
        #expect(top.share == 1.25)
        #expect(top.change == SettingChange(key: "defaults.strategy", from: "parquet", to: "streaming"))
        #expect(found[1].kind == .download)
        #expect(top.summary.hasPrefix("memory: 125% of the limit"))
    }

    @Test func memoryWellUnderTheLimitIsNotReported() {
        let memory = MemoryTimeline(samples: [], baselineResidentBytes: 10 << 20, peakResidentBytes: 100 << 20, intervalSeconds: 0.05)
        let found = analyze(SyntheticRun(), RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 2), memory: memory)
        #expect(!found.contains { $0.kind == .memoryPressure })
    }

    @Test func untrackedGapsAreReported() {
        let events = [RecordedEvent(phase: .metadata, start: 0, duration: 1), RecordedEvent(phase: .load, start: 9, duration: 1, rows: 10)]
        let found = BottleneckAnalyzer().analyze(PhaseProfile(events: events),
                                                 settings: RunSettings(strategy: "streaming", chunkSize: 1, downloadParallelism: 1), system: system)
        #expect(found.first?.kind == .untracked)
        #expect(found.first?.share == 0.8)
    }
}
