import Timing
import Commands
import Foundation
import Logging
import Replication
import Testing
@testable import Profiling

@Suite struct BenchTests {
    func result(_ name: String, _ seconds: Double, rows: Int = 1000, peak: Int? = nil, _ parameters: [String: String] = [:]) -> BenchResult {
        BenchResult(name: name, parameters: parameters, iterations: 3, seconds: seconds, rows: rows, peakRSSBytes: peak)
    }

    @Test func compareGivesBeforeAfterRatios() throws {
        let old = BenchReport(results: [result("decode", 2, peak: 100), result("load", 1, ["strategy": "batch"]), result("gone", 1)])
        let new = BenchReport(results: [result("load", 4, ["strategy": "batch"]), result("decode", 0.5, peak: 150), result("added", 1)])
        let diff = BenchComparison.compare(old: old, new: new)
        #expect(diff.entries.map(\.key) == ["load [strategy=batch]", "decode"])
        let load = diff.entries[0], decode = diff.entries[1]
        #expect(load.speedup == 0.25 && load.timeRatio == 4 && load.rowsPerSecondRatio == 0.25)
        #expect(decode.speedup == 4 && decode.timeRatio == 0.25 && decode.rowsPerSecondRatio == 4)
        #expect(decode.peakRSSRatio == 1.5 && load.peakRSSRatio == nil)
        #expect(diff.onlyOld == ["gone"] && diff.onlyNew == ["added"])
        let table = diff.table()
        #expect(table.contains("4.00x") && table.contains("0.25x") && table.contains("only before: gone"))
    }

    @Test func parametersAreMatchedWhateverTheirOrder() {
        let a = result("transfer", 1, ["strategy": "streaming", "rows": "10"]), b = result("transfer", 2, ["rows": "10", "strategy": "streaming"])
        #expect(a.key == b.key && a.key == "transfer [rows=10, strategy=streaming]")
        #expect(BenchComparison(old: BenchReport(results: [a]), new: BenchReport(results: [b])).entries.first?.speedup == 0.5)
    }

    @Test func savesAndLoadsJSONWithSnakeCaseKeys() throws {
        let report = BenchReport(createdAt: Date(timeIntervalSince1970: 1_780_000_000), system: nil,
                                 results: [result("decode", 0.5, rows: 2000, peak: 1 << 20, ["rows": "2000"])])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }   // cleanup only
        try report.save(to: path)
        #expect(try BenchReport.load(from: path) == report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let first = try #require((object["results"] as? [[String: Any]])?.first)
        #expect(first["rows_per_s"] as? Double == 4000)
        #expect(first["peak_rss_bytes"] as? Int == 1 << 20)
        #expect(first["name"] as? String == "decode")
    }

    @Test func suiteRunsWarmupAndIterationsAndFilters() async throws {
        final class Counter: @unchecked Sendable {   // only touched from the suite's sequential loop
            var calls = 0
        }
        let counter = Counter()
        let suite = BenchSuite([
            BenchCase("counted", parameters: ["n": "1"], iterations: 4, warmup: 2) { counter.calls += 1; return BenchWork(rows: 10, bytes: 5) },
            BenchCase("skipped") { Issue.record("filtered case ran"); return BenchWork() },
        ])
        let report = try await suite.run(matching: "COUNT")
        #expect(counter.calls == 6)
        let only = try #require(report.results.first)
        #expect(report.results.count == 1)
        #expect(only.iterations == 4 && only.rows == 10 && only.bytes == 5)
        #expect(only.minSeconds <= only.seconds && only.seconds <= only.maxSeconds)
        #expect(report.table().contains("counted [n=1]"))
    }

    @Test func failingCaseStopsTheSuite() async {
        struct Boom: Error {}
        let suite = BenchSuite([BenchCase("fails", iterations: 2, warmup: 0) { throw Boom() }])
        await #expect(throws: Boom.self) { try await suite.run() }
    }

    @Test func sizedCasesCarryTheirSize() {
        let cases = BenchCase.sized("memory", sizes: [10, 100], parameters: ["strategy": "streaming"]) { n in { BenchWork(rows: n) } }
        #expect(cases.map(\.parameters) == [["strategy": "streaming", "rows": "10"], ["strategy": "streaming", "rows": "100"]])
    }

    @Test func profilingCasesRun() async throws {
        let report = try await BenchSuite(ProfilingBenchCases.all(events: 1000)).run()
        #expect(report.results.map(\.name) == ["recorder: record", "recorder: record, contended", "recorder: measure",
                                               "recorder: measure", "recorder: measure", "recorder: buffer level",
                                               "profile: build", "report: analyze + render"])
        #expect(report.results[0].rows == 1000 && report.results[1].rows == 1000 && report.results[5].rows == 1000)
    }

    @Test func withoutAWorkspaceTheLocalCasesRun() async throws {
        // A host that resolves nowhere: no flags, and a profile file that does not exist.
        var source = SourceSettings()
        source.configFile = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-databrickscfg").path
        guard ProcessInfo.processInfo.environment["DATABRICKS_HOST"] == nil else { return }   // a workspace is configured here
        let notes = NotesBox()
        var input = CommandLineInput()
        input.source = source
        var options = BenchSession.Options(input: input)
        options.sizes = "1000"; options.strategies = "streaming"; options.filter = "recorder: record ["
        let report = try await BenchSession.run(options, logger: Logger(label: "test"), progress: { notes.add($0) })
        #expect(report.results.map(\.name) == ["recorder: record"])
        #expect(notes.all.contains { $0.contains("running the local cases only") })
    }
}

@Suite struct MemoryScalingTests {
    @Test func comparesPeakGrowthWithRowGrowth() throws {
        let results = [
            BenchResult(name: "memory", parameters: ["strategy": "streaming", "rows": "1000000"], iterations: 1, seconds: 10, peakRSSBytes: 110, peakRSSGrowthBytes: 60),
            BenchResult(name: "memory", parameters: ["strategy": "streaming", "rows": "100000"], iterations: 1, seconds: 1, peakRSSBytes: 100, peakRSSGrowthBytes: 50),
            BenchResult(name: "memory", parameters: ["strategy": "batch", "rows": "1000000"], iterations: 1, seconds: 10, peakRSSBytes: 1000),
            BenchResult(name: "memory", parameters: ["strategy": "batch", "rows": "100000"], iterations: 1, seconds: 1, peakRSSBytes: 100),
        ]
        let streaming = try #require(MemoryScaling(results: results, name: "memory", parameters: ["strategy": "streaming"]))
        #expect(streaming.points.map(\.rows) == [100_000, 1_000_000])
        #expect(streaming.rowsRatio == 10 && abs(streaming.peakRatio - 1.1) < 1e-12 && streaming.isSublinear)
        let batch = try #require(MemoryScaling(results: results, name: "memory", parameters: ["strategy": "batch"]))
        #expect(batch.peakRatio == 10 && !batch.isSublinear)
        #expect(MemoryScaling(results: results, name: "memory", parameters: ["strategy": "parquet"]) == nil)
        #expect(streaming.growthRatio == 1.2 && batch.growthRatio == nil)
    }

    @Test func findsEverySizedSeries() {
        let results = [
            BenchResult(name: "config", iterations: 1, seconds: 1),
            BenchResult(name: "transfer", parameters: ["strategy": "streaming", "rows": "10"], iterations: 1, seconds: 1, peakRSSBytes: 100, peakRSSGrowthBytes: 10),
            BenchResult(name: "transfer", parameters: ["strategy": "batch", "rows": "10"], iterations: 1, seconds: 1, peakRSSBytes: 100),
            BenchResult(name: "transfer", parameters: ["strategy": "streaming", "rows": "100"], iterations: 1, seconds: 1, peakRSSBytes: 120, peakRSSGrowthBytes: 15),
            BenchResult(name: "transfer", parameters: ["strategy": "batch", "rows": "100"], iterations: 1, seconds: 1, peakRSSBytes: 900),
        ]
        let all = MemoryScaling.all(in: results)
        #expect(all.map(\.parameters) == [["strategy": "streaming"], ["strategy": "batch"]])
        #expect(all[0].summary == "transfer [strategy=streaming]: 10.0x the rows, 1.20x the peak RSS (100 B -> 120 B), 1.50x the growth")
        #expect(BenchReport(results: results).table().contains("memory as size grows:\n  transfer [strategy=streaming]: 10.0x"))
    }
}

final class NotesBox: @unchecked Sendable {
    // @unchecked Sendable: `lines` is only touched under `lock`.
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
