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
public enum AnalyzeSession {
    public struct Options: Sendable {
        public var input: CommandLineInput
        /// Rows per table to copy (nil: whole tables).
        public var sampleRows: Int64?
        /// Also run every strategy on the sample.
        public var compareStrategies = true
        public init(input: CommandLineInput, sampleRows: Int64? = 100_000) { self.input = input; self.sampleRows = sampleRows }
    }

    public static func run(_ options: Options, logger: Logger,
                           progress: (@Sendable (String) -> Void)? = nil) async throws -> AnalysisReport {
        let setup = try RunSetup.resolve(options.input, requireTarget: false)
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }

        // Plan once, without profiling, then restrict every table to the sample.
        let rtt = try await roundTrip(setup)
        var plan = try await Session.plan(setup, targetPath: scratch.path("profile.duckdb"), logger: logger)
        var totalRows: Int64 = 0
        for i in plan.tables.indices {
            totalRows += plan.tables[i].rowCount ?? 0
            if let sample = options.sampleRows { plan.tables[i].sample(sample) }
        }
        precondition(!setup.targetPath.isEmpty ? plan.targetPath != setup.targetPath : true)   // our own invariant

        progress?("analyze: profiling \(plan.tables.count) table(s) with the configured strategy")
        let profiled = try await profiledRun(plan, setup: setup, logger: logger)
        var failures = profiled.failures(run: MeasurementFailure.configuredRun)
        var runs: [StrategyRun] = []
        if options.compareStrategies {
            for strategy in LoadStrategy.allCases {
                progress?("analyze: \(strategy) on the same sample")
                var trial = plan
                trial.targetPath = scratch.path("\(strategy).duckdb")
                for i in trial.tables.indices { trial.tables[i].strategy = strategy }
                let run = try await profiledRun(trial, setup: setup, logger: logger)
                // A run that did not copy every table measured something else: it is reported, never compared.
                let failed = run.failures(run: strategy.rawValue)
                failures += failed
                if failed.isEmpty {
                    runs.append(StrategyRun(strategy: strategy.rawValue, run: run.run, chunkSize: plan.tables.first?.chunkSize ?? setup.config.defaults.chunkSize))
                }
            }
        }
        for failure in failures { progress?("analyze: \(failure.summary)") }

        let strategies = Set(plan.tables.map(\.strategy.rawValue))
        let settings = RunSettings(recording: plan, strategies: strategies)
        let system = SystemInfo.current(duckdbVersion: Database.libraryVersion, duckdbSettings: profiled.duckdbSettings,
                                        roundTripSeconds: rtt,
                                        bandwidthBytesPerSecond: PhaseProfile.bandwidth(of: profiled.run.events))
        var notes = ["sample: \(plan.tables.map { $0.rowCount ?? 0 }.reduce(0, +)) of \(totalRows) rows across \(plan.tables.count) table(s)",
                     "scratch databases in \(scratch.url.path) (removed); your target was not opened"]
        notes += await SyncAdvice.notes(setup, logger: logger)
        return AnalysisReport.analyze(events: profiled.run.events, memory: profiled.run.memory, system: system,
                                      settings: settings, strategyRuns: runs, notes: notes, failures: failures)
    }

    struct Profiled {
        var run: ProfiledRun
        var summary: ReplicationSummary
        var duckdbSettings: [SystemInfo.Setting]

        func failures(run: String) -> [MeasurementFailure] {
            summary.failed.map { MeasurementFailure(run: run, table: $0.source, error: $0.error ?? "failed without an error message") }
        }
    }

    /// One replication of `plan` with a recorder and a memory sampler attached.
    static func profiledRun(_ plan: ReplicationPlan, setup: RunSetup, logger: Logger) async throws -> Profiled {
        let session = ProfilingSession()
        session.start()
        let summary: ReplicationSummary
        do {
            summary = try await Session.run(plan, workspace: setup.workspace, observer: session.recorder, logger: logger)
        } catch {
            _ = session.stop()
            throw error
        }
        let run = session.stop()
        return Profiled(run: run, summary: summary, duckdbSettings: (try? duckdbSettings(plan.targetPath, plan.settings.target)) ?? [])
    }

    /// The DuckDB settings that shape a load, as the scratch database reports them.
    static func duckdbSettings(_ path: String, _ target: TargetSettings) throws -> [SystemInfo.Setting] {
        let connection = try Database(path: path, configuration: target.databaseConfiguration).connect()
        let rows = try connection.query("SELECT name, value FROM duckdb_settings() WHERE name IN ('threads', 'memory_limit', 'preserve_insertion_order', 'checkpoint_threshold', 'max_temp_directory_size') ORDER BY name").rows()
        return rows.compactMap { row in
            guard row.count == 2, let name = row[0].stringValue, let value = row[1].stringValue else { return nil }
            return SystemInfo.Setting(name: name, value: value)
        }
    }

    /// The best of three trivial statements: the workspace's round-trip time.
    static func roundTrip(_ setup: RunSetup) async throws -> Double {
        let client = try DatabricksClient(workspace: setup.workspace, options: ReplicationSettings(setup.config).clientOptions)
        return try await Session.withShutdown(client) { try await roundTrip(client) }
    }

    static func roundTrip(_ client: DatabricksClient) async throws -> Double {
        var best = Double.infinity
        for _ in 0..<3 {
            let start = ContinuousClock.now
            _ = try await client.execute(StatementRequest("SELECT 1"))
            best = min(best, (ContinuousClock.now - start).seconds)
        }
        return best
    }
}

/// A private temporary directory, removed when done.
struct ScratchDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("dbduck-analyze-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }   // only our own files are in it
}
