import Commands
import DBDuckTesting
import Foundation
import Logging
import Profiling
import Replication
import Databricks
import Testing

/// `analyze` runs with exactly the settings `replicate` would: the ones in dbduck.yml reach the
/// client, the replicator and the report.
@Suite(.serialized) struct SettingsReachTheRunTests {
    @Test func theClientIsBuiltFromThePlansSettings() throws {
        var config = ReplicationConfig()
        config.defaults.memoryBudgetBytes = 16_000_000
        config.defaults.downloadParallelism = 3
        config.defaults.maxRetries = 2
        let options = ReplicationSettings(config).clientOptions
        #expect(options.memoryBudgetBytes == MemoryBudgetShare.downloads(16_000_000))
        #expect(options.downloadParallelism == 3)
        #expect(options.retry.maxAttempts == 3)
    }

    @Test func analyzeProfilesTheConfiguredCompressionAndMemoryBudget() async throws {
        try await EmulatorProcess.withRunning { emulator in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dbduck-settings-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let config = dir.appendingPathComponent("dbduck.yml").path
            try """
            defaults: { strategy: streaming, compression: none, memory_budget: 16MB }
            tables: [samples.tpch.lineitem]
            """.write(toFile: config, atomically: true, encoding: .utf8)
            var input = CommandLineInput()
            input.configPath = config
            input.source = SourceSettings(host: emulator.host, token: emulator.token, warehouseID: emulator.warehouseID)
            var options = AnalyzeSession.Options(input: input, sampleRows: nil)
            options.compareStrategies = false
            let report = try await AnalyzeSession.run(options, logger: Logger(label: "test"))

            #expect(report.settings.compression == "none")
            #expect(report.settings.memoryBudgetBytes == 16_000_000)
            #expect(report.settings.strategy == "streaming")
            // The budget bounds what is reserved; buffers are allocated in powers of two, so what is
            // held may exceed it by up to one allocation's rounding, never by a default budget's worth.
            let high = try #require(report.memory?.bufferHighWaterBytes)
            #expect(high > 0)
            #expect(high <= 2 * 16_000_000, "buffer high-water \(high) bytes over a 16MB budget")
            #expect(report.overall.rows == 60_012)
        }
    }
}

/// `analyze` says which sync mode fits each table and what an incremental run would move.
@Suite(.serialized) struct SyncAdviceTests {
    @Test func aTableWithAFeedAndAKeyIsAdvisedCdfWithWhatItsLastCommitChanged() async throws {
        try await EmulatorProcess.withRunning { emulator in
            var input = CommandLineInput()
            input.tables = ["main.demo.orders_cdf", "samples.tpch.orders"]
            input.source = SourceSettings(host: emulator.host, token: emulator.token, warehouseID: emulator.warehouseID)
            var options = AnalyzeSession.Options(input: input, sampleRows: 1000)
            options.compareStrategies = false
            let report = try await AnalyzeSession.run(options, logger: Logger(label: "test"))
            let cdf = try #require(report.notes.first { $0.hasPrefix("main.demo.orders_cdf: mode auto") })
            #expect(cdf.contains("by cdf") && cdf.contains("changed 10 of 110 rows") && cdf.contains("Recommended: mode cdf"), "\(cdf)")
            let full = try #require(report.notes.first { $0.hasPrefix("samples.tpch.orders: mode auto") })
            #expect(full.contains("by full"), "\(full)")
        }
    }
}
