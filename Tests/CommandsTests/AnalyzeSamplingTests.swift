import Commands
import DBDuckTesting
import Foundation
import Logging
import Profiling
import Replication
import Testing
import Timing

/// `analyze` sizes its sample by time from a probe, measures `basic` on a sub-sample with an
/// extrapolation, and its sections agree with each other. Nothing here depends on how fast the
/// machine is: each assertion holds for whatever the probe measured.
@Suite(.serialized) struct AnalyzeSamplingTests {
    static let lineitemRows: Int64 = 60_012   // samples.tpch.lineitem at the emulator's default scale

    @Test func theSampleIsSizedByTimeAndBasicIsExtrapolated() async throws {
        try await EmulatorProcess.withRunning { emulator in
            var input = CommandLineInput()
            input.tables = ["samples.tpch.lineitem"]
            input.source = SourceSettings(host: emulator.host, token: emulator.token, warehouseID: emulator.warehouseID)
            input.strategy = "streaming"
            var options = AnalyzeSession.Options(input: input, sample: .byTime(seconds: 0.3))
            options.probeRows = 2_000
            options.rowByRowRows = 500
            options.quiet = true
            let report = try await AnalyzeSession.run(options, logger: Logger(label: "test"))
            #expect(report.failures.isEmpty, "\(report.failures.map(\.summary))")

            // The sizing rule, recomputed from what the report says the probe measured.
            let sizing = try #require(report.sampling)
            #expect(sizing.method == .time)
            #expect(sizing.targetSeconds == 0.3)
            #expect(sizing.probeRows == 2_000)
            #expect(sizing.tableRows == Self.lineitemRows)
            let rate = try #require(sizing.probeRowsPerSecond)
            #expect(rate > 0)
            if let rows = sizing.rowsPerTable {
                #expect(rows >= SampleSizing.minimumRows)
                #expect(Double(rows) <= max(Double(SampleSizing.minimumRows), rate * 0.3))
                #expect(Double(rows) < Double(Self.lineitemRows) * SampleSizing.wholeTableFraction)
            } else {
                #expect(rate * 0.3 >= Double(Self.lineitemRows) * SampleSizing.wholeTableFraction)
            }
            // The profiled copy is the sample the report names.
            #expect(Int64(report.overall.rows) == sizing.sampleRows)
            #expect(report.notes.contains { $0.contains("your target was not opened") })

            // basic ran on the sub-sample and is extrapolated to the sample and the table.
            let comparison = try #require(report.comparison)
            let basic = try #require(comparison.run("basic"))
            #expect(basic.rows == 500)
            let extrapolation = try #require(basic.extrapolation)
            #expect(extrapolation.measuredRows == 500)
            #expect(Int64(extrapolation.sampleRows) == sizing.sampleRows)
            #expect(Int64(extrapolation.tableRows) == Self.lineitemRows)
            #expect(extrapolation.tableSeconds > extrapolation.measuredSeconds)

            // Every strategy that ran on fewer rows than the sample says so; the others ran on the sample.
            for entry in comparison.entries {
                if Int64(entry.run.rows) < sizing.sampleRows {
                    #expect(entry.run.extrapolation != nil, "\(entry.run.strategy) ran on \(entry.run.rows) rows without an extrapolation")
                } else {
                    #expect(entry.run.extrapolation == nil)
                    #expect(Int64(entry.run.rows) == sizing.sampleRows)
                }
            }
            // The configured strategy's row is the profiled copy itself.
            let streaming = try #require(comparison.run("streaming"))
            #expect(streaming.rows == report.overall.rows)
            #expect(streaming.seconds == report.overall.elapsedSeconds)
            #expect(streaming.peakRSSBytes == report.memory?.peakResidentBytes)

            // One table: its section is the run's profile, and the bottlenecks quote its shares.
            let table = try #require(report.tables.first)
            #expect(report.tables.count == 1)
            #expect(table.phases == report.overall.phases)
            for bottleneck in report.bottlenecks {
                switch bottleneck.kind {
                case .memoryPressure: continue
                case .untracked: #expect(bottleneck.share == table.idleShare)
                default: #expect(bottleneck.share == table[try #require(bottleneck.kind.phase)]?.share)
                }
            }
            // The memory limit is written one way: DuckDB's setting as the bottlenecks and config write it.
            let limit = try #require(report.system.duckdbSetting("memory_limit"))
            #expect(limit.hasSuffix(" MB") || limit.hasSuffix(" GB"), "memory_limit shown as \(limit)")
            if let configured = report.settings.targetMemoryLimitBytes {
                #expect(limit == Units.bytes(configured))
            }
        }
    }
}
