import Foundation
import Testing
@testable import Profiling

@Suite struct ReportTests {
    static func sampleReport() -> AnalysisReport {
        let orders = SyntheticRun(table: "samples.tpch.orders", chunks: 8, parallelism: 2, downloadSeconds: 0.5, loadSeconds: 0.1)
        let lineitem = SyntheticRun(table: "samples.tpch.lineitem", chunks: 24, parallelism: 2, downloadSeconds: 1.0,
                                    loadSeconds: 0.1, retries: [3: 0.4], offset: 3)
        let memory = MemoryTimeline(samples: (0..<50).map { MemorySample(time: Double($0) * 0.33, residentBytes: (60 + $0 % 17) << 20, bufferBytes: ($0 % 9) << 20) },
                                    baselineResidentBytes: 58 << 20, peakResidentBytes: 77 << 20, bufferHighWaterBytes: 8 << 20, intervalSeconds: 0.33)
        let system = SystemInfo(cores: 2, memoryBytes: 8 << 30, operatingSystem: "Debian <12> & co", duckdbVersion: "v2.0.1",
                                duckdbSettings: [.init(name: "threads", value: "2"), .init(name: "memory_limit", value: "4GB")],
                                roundTripSeconds: 0.004, bandwidthBytesPerSecond: 400e6)
        let runs = [StrategyRun(strategy: "basic", seconds: 3, rows: 5_000, bytes: 500_000, peakRSSBytes: 70 << 20),
                    StrategyRun(strategy: "batch", seconds: 2, rows: 100_000, bytes: 8_000_000, peakRSSBytes: 180 << 20),
                    StrategyRun(strategy: "parquet", seconds: 1.2, rows: 100_000, bytes: 8_000_000, peakRSSBytes: 240 << 20),
                    StrategyRun(strategy: "streaming", seconds: 0.9, rows: 100_000, bytes: 8_000_000, peakRSSBytes: 95 << 20)]
        return AnalysisReport.analyze(events: orders.events() + lineitem.events(), memory: memory, system: system,
                                      settings: RunSettings(strategy: "batch", chunkSize: 100_000, downloadParallelism: 2, threads: 2,
                                                            compression: "lz4"),
                                      strategyRuns: runs, generatedAt: Date(timeIntervalSince1970: 1_780_000_000),
                                      notes: ["sample: 100000 rows"])
    }

    @Test func analyzeNamesTheBottleneckAndRecommends() throws {
        let report = Self.sampleReport()
        #expect(report.tables.map(\.table) == ["samples.tpch.orders", "samples.tpch.lineitem"])
        #expect(report.bottlenecks.first?.kind == .download)
        #expect(report.comparison?.best == "streaming")
        #expect(report.recommendation.strategy == "streaming")
        #expect(report.recommendation.downloadParallelism > 2)
        #expect(report.seedYAML.contains("default_optimization_level: streaming"))
        #expect(report.tableBottlenecks.map(\.table) == ["samples.tpch.orders", "samples.tpch.lineitem"])
        #expect(report.bottleneck(of: "samples.tpch.lineitem")?.kind == .download)
    }

    @Test func eachTableGetsItsOwnBottleneck() {
        let waiting = SyntheticRun(table: "main.demo.events", chunks: 2, warehouseWaitSeconds: 20, downloadSeconds: 0.1)
        let loading = SyntheticRun(table: "main.demo.all_types", chunks: 20, parallelism: 8, downloadSeconds: 0.1, loadSeconds: 0.5, offset: 21)
        let report = AnalysisReport.analyze(events: waiting.events() + loading.events(), memory: nil,
                                            system: SystemInfo(cores: 2, memoryBytes: 8 << 30, operatingSystem: "test"),
                                            settings: RunSettings(strategy: "batch", chunkSize: 10_000, downloadParallelism: 8, threads: 2))
        #expect(report.bottleneck(of: "main.demo.events")?.kind == .warehouseWait)
        #expect(report.bottleneck(of: "main.demo.all_types")?.kind == .load)
        #expect(report.terminalText().contains("  bottleneck: warehouse wait: "))
        #expect(report.html().contains("<strong>Bottleneck:</strong> load: "))
    }

    @Test func jsonIsWellFormedAndRoundTrips() throws {
        let report = Self.sampleReport()
        let data = try report.jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["tables"] is [Any])
        #expect(object["bottlenecks"] is [Any])
        #expect(object["generatedAt"] as? String == "2026-05-28T20:26:40Z")
        let back = try AnalysisReport.decode(json: data)
        #expect(back == report)
    }

    @Test func htmlIsSelfContainedWithCharts() throws {
        let html = Self.sampleReport().html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.hasSuffix("</html>"))
        let charts = html.components(separatedBy: "<svg ").count - 1
        #expect(charts >= 2 * 4 + 1 + 2)          // per table: breakdown, timeline, 2 throughput; memory; strategies x2
        #expect(html.components(separatedBy: "</svg>").count - 1 == charts)
        for external in ["http:", "https:", "//", "<script", "src=", "href=", "url(", "@import"] {
            #expect(!html.contains(external), "HTML references \(external)")
        }
        #expect(html.contains("Debian &lt;12&gt; &amp; co"))      // text is escaped
        #expect(html.contains("Memory over time") && html.contains("Rows per second by strategy"))
        #expect(html.contains("Phase breakdown") && html.contains("Download throughput over time"))
    }

    @Test func writesTheFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dbduck-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }   // cleanup only; a failure here changes no result
        let report = Self.sampleReport()
        let html = dir.appendingPathComponent("report.html").path, json = dir.appendingPathComponent("report.json").path
        try report.write(html: html)
        try report.write(json: json)
        #expect(try String(contentsOfFile: html, encoding: .utf8) == report.html())
        #expect(try AnalysisReport.decode(json: Data(contentsOf: URL(fileURLWithPath: json))) == report)
    }

    @Test func terminalTextHasEverySection() {
        let text = Self.sampleReport().terminalText()
        for part in ["System", "2 cores", "DuckDB v2.0.1", "samples.tpch.lineitem", "All tables", "Memory", "peak RSS 80.7 MB",
                     "Bottlenecks", "1. download: ", "Strategies on the sample", "Recommended dbduck.yml", "defaults:",
                     "default_optimization_level: streaming", "overlapping: "] {
            #expect(text.contains(part), "missing \(part)")
        }
    }
}
