import Databricks
import DuckDB
import Foundation
import Logging
import Profiling
import Replication
import Timing

/// One measured copy for `dbduck analyze`: the plan replicated into a scratch database with a
/// phase recorder and a memory sampler attached, and a live progress line while it runs.
struct AnalyzeMeasurement {
    var run: ProfiledRun
    var summary: ReplicationSummary
    var plan: ReplicationPlan

    var profile: PhaseProfile { PhaseProfile(events: run.events) }

    func failures(run: String) -> [MeasurementFailure] {
        summary.failed.map { MeasurementFailure(run: run, table: $0.source, error: $0.error ?? "failed without an error message") }
    }

    /// Replicates `plan` with every table cut to `rowsPerTable` (nil: whole tables) and, when
    /// given, `strategy` for every table, into a new database in `scratch`.
    static func measure(_ plan: ReplicationPlan, rowsPerTable: Int64?, strategy: LoadStrategy?, name: String,
                        scratch: ScratchDirectory, setup: RunSetup, showProgress: Bool, logger: Logger) async throws -> AnalyzeMeasurement {
        var trial = plan
        trial.targetPath = scratch.path("\(name).duckdb")
        for i in trial.tables.indices {
            if let rowsPerTable { trial.tables[i].sample(rowsPerTable) }
            if let strategy { trial.tables[i].strategy = strategy }
        }
        let session = ProfilingSession()
        session.start()
        let summary: ReplicationSummary
        do {
            summary = try await Session.run(trial, workspace: setup.workspace, observer: session.recorder,
                                            progress: showProgress ? ProgressDisplay(label: name) : nil, logger: logger)
        } catch {
            _ = session.stop()
            throw error
        }
        return AnalyzeMeasurement(run: session.stop(), summary: summary, plan: trial)
    }

    /// The DuckDB settings that shape a load, as the scratch database reports them. Sizes are
    /// given in decimal units like the rest of the report; `memory_limit` as configured when
    /// DuckDB's rounded display (`81.0 MiB`) is that value, so the report names it one way.
    static func duckdbSettings(_ path: String, _ target: TargetSettings) throws -> [SystemInfo.Setting] {
        let connection = try Database(path: path, configuration: target.databaseConfiguration).connect()
        let rows = try connection.query("SELECT name, value FROM duckdb_settings() WHERE name IN ('threads', 'memory_limit', 'preserve_insertion_order', 'checkpoint_threshold', 'max_temp_directory_size') ORDER BY name").rows()
        let configuredLimit = ByteSize.parse(target.memoryLimit ?? TargetSettings.defaultMemoryLimit)
        return rows.compactMap { row in
            guard row.count == 2, let name = row[0].stringValue, let value = row[1].stringValue else { return nil }
            return SystemInfo.Setting(name: name, value: normalized(name: name, value: value, configuredLimit: configuredLimit))
        }
    }

    static func normalized(name: String, value: String, configuredLimit: Int?) -> String {
        guard ["memory_limit", "checkpoint_threshold"].contains(name), let bytes = ByteSize.parse(value) else { return value }
        if name == "memory_limit", let configuredLimit, abs(bytes - configuredLimit) <= configuredLimit / 100 {
            return Units.bytes(configuredLimit)
        }
        return Units.bytes(bytes)
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
