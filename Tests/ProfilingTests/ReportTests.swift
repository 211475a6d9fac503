import Foundation
import Testing
import Timing
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

    @Test func theRoundTripsAreCountedFromTheRecordedSpans() {
        let report = Self.sampleReport()
        let events = SyntheticRun(table: "samples.tpch.orders", chunks: 8, parallelism: 2, downloadSeconds: 0.5, loadSeconds: 0.1).events()
            + SyntheticRun(table: "samples.tpch.lineitem", chunks: 24, parallelism: 2, downloadSeconds: 1.0, loadSeconds: 0.1,
                           retries: [3: 0.4], offset: 3).events()
        let statements = events.filter { $0.phase == .warehouseWait }.count
        let downloads = events.filter { $0.phase == .download }.count
        let requests = events.filter { $0.phase == .request }.count
        #expect(downloads >= 32)
        #expect(report.overall.roundTrips == (statements, requests, downloads))
        #expect(report.terminalText().contains("round trips: \(statements) warehouse statements, \(requests) API requests, \(downloads) downloads (per table: "))
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

/// Every section of one report quotes the same shares, times and sizes.
@Suite struct ReportConsistencyTests {
    static let system = SystemInfo(cores: 2, memoryBytes: 8 << 30, operatingSystem: "test")
    static let settings = RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 2, threads: 2)

    /// The share a profile gives what the bottleneck names: its phase, or the idle time.
    static func share(of kind: BottleneckKind, in profile: PhaseProfile) -> Double? {
        kind == .untracked ? profile.idleShare : kind.phase.flatMap { profile[$0]?.share }
    }

    @Test func oneTablesSectionIsTheRunsProfileAndTheBottlenecksQuoteIt() throws {
        // The warehouse wait carries no table (as the client records it); it still belongs to the one table's copy.
        var events = SyntheticRun(table: "samples.tpch.lineitem", chunks: 6, warehouseWaitSeconds: 0, loadSeconds: 0.3).events()
        events = events.map { var e = $0; e.start += 1; return e }
        events.append(RecordedEvent(phase: .warehouseWait, table: nil, start: 0, duration: 1))
        let report = AnalysisReport.analyze(events: events, memory: nil, system: Self.system, settings: Self.settings)
        let table = try #require(report.tables.first)
        #expect(report.tables.count == 1)
        #expect(table.table == "samples.tpch.lineitem")
        #expect(table.phases == report.overall.phases)
        #expect(table[.warehouseWait] != nil)
        #expect(!report.bottlenecks.isEmpty)
        for bottleneck in report.bottlenecks {
            #expect(bottleneck.share == Self.share(of: bottleneck.kind, in: table), "\(bottleneck.kind) quotes another share than its table")
        }
        #expect(report.bottleneck(of: table.table)?.share == report.bottlenecks.first?.share)
        // The terminal prints each bottleneck's share as its phase row does.
        let text = report.terminalText()
        for bottleneck in report.bottlenecks {
            guard let phase = bottleneck.kind.phase else { continue }
            let share = Units.percent(bottleneck.share)
            #expect(text.contains("\(bottleneck.kind.label): \(share)"))
            #expect(text.split(separator: "\n").contains { $0.hasPrefix("  \(phase.label) ") && $0.contains(" \(share) ") })
        }
    }

    @Test func severalTablesQuoteTheRunsSharesUnderAllTables() throws {
        let a = SyntheticRun(table: "main.demo.a", chunks: 4, downloadSeconds: 0.5)
        let b = SyntheticRun(table: "main.demo.b", chunks: 4, loadSeconds: 0.4, offset: 3)
        let report = AnalysisReport.analyze(events: a.events() + b.events(), memory: nil, system: Self.system, settings: Self.settings)
        #expect(report.tables.count == 2)
        #expect(!report.bottlenecks.isEmpty)
        for bottleneck in report.bottlenecks {
            #expect(bottleneck.share == Self.share(of: bottleneck.kind, in: report.overall))
        }
        for profile in report.tables {
            let own = try #require(report.bottleneck(of: profile.table))
            #expect(own.share == Self.share(of: own.kind, in: profile))
        }
        #expect(report.terminalText().contains("Bottlenecks (all tables)"))
    }

    @Test func theConfiguredRunsComparisonRowIsItsProfile() throws {
        let run = ProfiledRun(events: SyntheticRun(chunks: 8).events(),
                              memory: MemoryTimeline(samples: [], baselineResidentBytes: 50_000_000, peakResidentBytes: 90_000_000,
                                                     bufferHighWaterBytes: nil, intervalSeconds: 0.05),
                              wallSeconds: 30)
        let row = StrategyRun(strategy: "streaming", run: run)
        let report = AnalysisReport.analyze(events: run.events, memory: run.memory, system: Self.system, settings: Self.settings,
                                            strategyRuns: [row])
        #expect(row.seconds == report.overall.elapsedSeconds)
        #expect(row.rows == report.overall.rows)
        #expect(row.peakRSSBytes == report.memory?.peakResidentBytes)
        // Seconds are written one way in every section.
        let text = report.terminalText()
        #expect(text.contains("samples.tpch.lineitem: \(Units.seconds(row.seconds)),"))
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("  streaming ") && $0.contains(" \(Units.seconds(row.seconds)) ") })
    }

    @Test func theSamplingAndExtrapolationAreReportedAndRoundTrip() throws {
        let sizing = SampleSizing.byTime(targetSeconds: 5, probeRows: 20_000, probeTransferSeconds: 0.2, tableRows: [6_001_215])
        var basic = StrategyRun(strategy: "basic", seconds: 2, rows: 3_000, bytes: 300_000, peakRSSBytes: 80_000_000)
        basic.extrapolation = Extrapolation(measuredRows: 3_000, measuredSeconds: 2, sampleRows: 500_000, tableRows: 6_001_215)
        let streaming = StrategyRun(strategy: "streaming", seconds: 4, rows: 500_000, bytes: 40_000_000, peakRSSBytes: 200_000_000)
        let report = AnalysisReport.analyze(events: SyntheticRun(chunks: 4).events(), memory: nil, system: Self.system,
                                            settings: Self.settings, strategyRuns: [basic, streaming],
                                            generatedAt: Date(timeIntervalSince1970: 1_780_000_000), sampling: sizing)
        let text = report.terminalText()
        #expect(text.contains(sizing.summary))
        #expect(text.contains("basic: measured on a 3000-row sub-sample"))
        let html = report.html()
        #expect(html.contains("sample sized by time"))
        #expect(html.contains("3000-row sub-sample"))
        let data = try report.jsonData()
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let sampling = try #require(json["sampling"] as? [String: Any])
        #expect(sampling["method"] as? String == "time")
        #expect(sampling["rowsPerTable"] as? Int == 500_000)
        #expect(try AnalysisReport.decode(json: data) == report)
    }
}
