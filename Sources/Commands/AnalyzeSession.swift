import Databricks
import DuckDB
import Foundation
import Logging
import Profiling
import Replication
import Timing

/// `dbduck analyze`: replicates a sample of the tables into a scratch database (never the user's
/// target), profiles it phase by phase, runs every strategy on the same sample, and turns what was
/// measured into an ``AnalysisReport``.
///
/// The sample is sized by time unless the caller fixes it: a probe copy of ``Options/probeRows``
/// rows per table measures the speed, and the profiled copy gets the rows that fill a few seconds
/// of transfer. Each other strategy is probed and sized the same way, and the row-by-row `basic`
/// strategy runs on a small sub-sample; a strategy measured on fewer rows than the sample carries
/// an ``Extrapolation`` to the sample and the whole tables.
public enum AnalyzeSession {
    /// How many rows the profiled sample takes.
    public enum SampleSize: Sendable, Equatable {
        /// The rows that fill this many seconds of transfer, as a probe measures it.
        case byTime(seconds: Double)
        /// This many rows per table.
        case rows(Int64)
        case wholeTables
    }

    /// Seconds of transfer the default sample is sized for: long enough that fixed costs (the
    /// commit, metadata calls) no longer dominate the shares.
    public static let defaultSampleSeconds = 5.0

    public struct Options: Sendable {
        public var input: CommandLineInput
        public var sample: SampleSize
        /// Also run every strategy on the sample.
        public var compareStrategies = true
        /// Rows per table a probe copies to measure the speed (time-sized samples only).
        public var probeRows: Int64 = 20_000
        /// Rows per table the row-by-row `basic` strategy is measured on.
        public var rowByRowRows: Int64 = 3_000
        /// No progress on stderr (failures are still said).
        public var quiet = false

        public init(input: CommandLineInput, sample: SampleSize = .byTime(seconds: AnalyzeSession.defaultSampleSeconds)) {
            self.input = input; self.sample = sample
        }

        /// `sampleRows` rows per table, or whole tables when nil.
        public init(input: CommandLineInput, sampleRows: Int64?) {
            self.init(input: input, sample: sampleRows.map { .rows($0) } ?? .wholeTables)
        }
    }

    public static func run(_ options: Options, logger: Logger,
                           progress: (@Sendable (String) -> Void)? = nil) async throws -> AnalysisReport {
        let setup = try RunSetup.resolve(options.input, requireTarget: false)
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let say: @Sendable (String) -> Void = { line in if !options.quiet { progress?(line) } }

        // Plan once, without profiling; every measured copy is this plan cut to some rows.
        let rtt = try await AnalyzeMeasurement.roundTrip(setup)
        let plan = try await Session.plan(setup, targetPath: scratch.path("plan.duckdb"), logger: logger)
        precondition(!setup.targetPath.isEmpty ? plan.targetPath != setup.targetPath : true)   // our own invariant
        let sizer = Sizer(tableRows: plan.tables.map { $0.rowCount ?? 0 }, probeRows: options.probeRows)
        let measure = { (rows: Int64?, strategy: LoadStrategy?, name: String) in
            try await AnalyzeMeasurement.measure(plan, rowsPerTable: rows, strategy: strategy, name: name, scratch: scratch,
                                                 setup: setup, showProgress: !options.quiet && progress != nil, logger: logger)
        }

        // The sample, and the copy with the user's settings profiled on it.
        var failures: [MeasurementFailure] = []
        let sizing: SampleSizing
        var probed: AnalyzeMeasurement?
        switch options.sample {
        case .rows(let rows): sizing = .given(rowsPerTable: rows, tableRows: sizer.tableRows)
        case .wholeTables: sizing = .given(rowsPerTable: nil, tableRows: sizer.tableRows)
        case .byTime(let seconds):
            say("analyze: probing \(sizer.probe.map { "\($0) rows per table" } ?? "the tables whole") with your settings to size the sample")
            let probe = try await measure(sizer.probe, nil, "probe")
            let failed = probe.failures(run: MeasurementFailure.configuredRun)
            guard failed.isEmpty else {
                // Nothing to size a sample by: the report names the failure and recommends nothing.
                failed.forEach { progress?("analyze: \($0.summary)") }
                return try await report(configured: probe, sizing: nil, runs: [], failures: failed, rtt: rtt,
                                        plan: plan, setup: setup, scratch: scratch, logger: logger)
            }
            sizing = sizer.sized(seconds: seconds, probe: probe.profile)
            probed = probe
        }
        let sampleRows = sizer.normalized(sizing.rowsPerTable)
        say("analyze: \(sizing.summary)")
        let configured: AnalyzeMeasurement
        if let probed, sampleRows == sizer.probe {
            say("analyze: the probe copied the whole sample; profiling it")
            configured = probed
        } else {
            say("analyze: profiling \(plan.tables.count) table(s) with your settings")
            configured = try await measure(sampleRows, nil, "configured")
        }
        failures += configured.failures(run: MeasurementFailure.configuredRun)

        // Every strategy on the same sample, or on fewer rows with an extrapolation.
        let chunkSize = plan.tables.first?.chunkSize ?? setup.config.defaults.chunkSize
        let usedStrategies = Set(plan.tables.map(\.strategy))
        var runs: [StrategyRun] = []
        for strategy in options.compareStrategies ? LoadStrategy.allCases : [] {
            // The copy with the user's settings already is this strategy's run on the sample.
            if usedStrategies == [strategy] {
                if configured.summary.failed.isEmpty { runs.append(StrategyRun(strategy: strategy.rawValue, run: configured.run, chunkSize: chunkSize)) }
                say("analyze: \(strategy): your settings' run on the sample")
                continue
            }
            var rows = sampleRows
            var measured: AnalyzeMeasurement?
            if strategy == .basic {
                rows = sizer.normalized(min(sampleRows ?? .max, options.rowByRowRows))
            } else if case .byTime(let seconds) = options.sample, sizer.rows(sampleRows) > sizer.rows(sizer.probe) {
                say("analyze: \(strategy): probing \(sizer.probe ?? 0) rows per table")
                let probe = try await measure(sizer.probe, strategy, "\(strategy)-probe")
                let failed = probe.failures(run: strategy.rawValue)
                failures += failed
                failed.forEach { progress?("analyze: \($0.summary)") }
                guard failed.isEmpty else { continue }
                rows = sizer.normalized(min(sampleRows ?? .max, sizer.sized(seconds: seconds, probe: probe.profile).rowsPerTable ?? .max))
                if rows == sizer.probe { measured = probe }
            }
            if measured == nil {
                say("analyze: \(strategy) on \(sizer.rows(rows)) rows\(rows == sampleRows ? " (the sample)" : " (a sub-sample)")")
                measured = try await measure(rows, strategy, strategy.rawValue)
            }
            guard let measured else { continue }
            // A run that did not copy every table measured something else: it is reported, never compared.
            let failed = measured.failures(run: strategy.rawValue)
            failures += failed
            failed.forEach { progress?("analyze: \($0.summary)") }
            guard failed.isEmpty else { continue }
            var run = StrategyRun(strategy: strategy.rawValue, run: measured.run, chunkSize: chunkSize)
            if sizer.rows(rows) < sizing.sampleRows {
                run.extrapolation = Extrapolation(measuredRows: run.rows, measuredSeconds: run.seconds,
                                                  sampleRows: Int(sizing.sampleRows), tableRows: Int(sizing.tableRows))
            }
            runs.append(run)
        }
        configured.failures(run: MeasurementFailure.configuredRun).forEach { progress?("analyze: \($0.summary)") }
        return try await report(configured: configured, sizing: sizing, runs: runs, failures: failures, rtt: rtt,
                                plan: plan, setup: setup, scratch: scratch, logger: logger)
    }

    static func report(configured: AnalyzeMeasurement, sizing: SampleSizing?, runs: [StrategyRun], failures: [MeasurementFailure],
                       rtt: Double, plan: ReplicationPlan, setup: RunSetup, scratch: ScratchDirectory,
                       logger: Logger) async throws -> AnalysisReport {
        let settings = RunSettings(recording: configured.plan, strategies: Set(configured.plan.tables.map(\.strategy.rawValue)))
        let duckdb = (try? AnalyzeMeasurement.duckdbSettings(configured.plan.targetPath, plan.settings.target)) ?? []
        let system = SystemInfo.current(duckdbVersion: Database.libraryVersion, duckdbSettings: duckdb, roundTripSeconds: rtt,
                                        bandwidthBytesPerSecond: PhaseProfile.bandwidth(of: configured.run.events))
        var notes = ["scratch databases in \(scratch.url.path) (removed); your target was not opened"]
        notes += await SyncAdvice.notes(setup, logger: logger)
        return AnalysisReport.analyze(events: configured.run.events, memory: configured.run.memory, system: system,
                                      settings: settings, strategyRuns: runs, notes: notes, failures: failures, sampling: sizing)
    }

    /// The arithmetic of sample sizes: rows per table (nil: whole tables) against the tables' rows.
    struct Sizer {
        let tableRows: [Int64]
        /// Rows per table of a probe (nil when every table is smaller than a probe).
        let probe: Int64?

        init(tableRows: [Int64], probeRows: Int64) {
            self.tableRows = tableRows
            probe = probeRows >= (tableRows.max() ?? 0) ? nil : probeRows
        }

        /// `rowsPerTable`, or nil when it covers every table.
        func normalized(_ rowsPerTable: Int64?) -> Int64? {
            guard let rowsPerTable, rowsPerTable < (tableRows.max() ?? 0) else { return nil }
            return rowsPerTable
        }

        /// Rows a copy of `rowsPerTable` per table moves, all tables together.
        func rows(_ rowsPerTable: Int64?) -> Int64 {
            tableRows.reduce(0) { $0 + min($1, rowsPerTable ?? .max) }
        }

        func sized(seconds: Double, probe profile: PhaseProfile) -> SampleSizing {
            .byTime(targetSeconds: seconds, probeRows: Int64(profile.rows),
                    probeTransferSeconds: SampleSizing.transferSeconds(of: profile), tableRows: tableRows)
        }
    }
}
