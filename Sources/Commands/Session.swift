import Databricks
import Foundation
import Logging
import Replication
import Timing

/// The one road every command takes: resolve the settings (``RunSetup``), plan (every setting
/// lands in the plan), run the plan. ``run(_:workspace:observer:progress:logger:)`` is the only
/// place a plan is executed: it builds the client and the replicator from the plan and shuts the
/// client down on every path.
public enum Session {
    /// Plans without copying.
    public static func plan(_ input: CommandLineInput, logger: Logger) async throws -> ReplicationPlan {
        try await plan(RunSetup.resolve(input, requireTarget: false), logger: logger)
    }

    /// Plans and copies every table.
    public static func replicate(_ input: CommandLineInput, observer: (any TransferObserver)? = nil,
                                 progress: (any ReplicationProgress)? = nil, logger: Logger) async throws -> ReplicationSummary {
        let setup = try RunSetup.resolve(input)
        let plan = try await plan(setup, depth: .copy, logger: logger)
        return try await run(plan, workspace: setup.workspace, observer: observer, progress: progress, logger: logger)
    }

    /// The plan for a resolved setup, read from the warehouse with a client tuned like the run's.
    public static func plan(_ setup: RunSetup, targetPath: String? = nil, depth: Planner.Depth = .display,
                            logger: Logger) async throws -> ReplicationPlan {
        if let note = setup.workspace.hostNote { logger.info("\(note)") }
        let settings = ReplicationSettings(setup.config)
        let path = targetPath ?? setup.targetPath
        let target = try TargetSnapshot.read(path: path)
        let client = try DatabricksClient(workspace: setup.workspace, options: settings.clientOptions, logger: logger)
        var plan = try await withShutdown(client) {
            try await Planner(catalog: client, config: setup.config, targetPath: path, states: target.states, progress: target.progress,
                        depth: depth).plan()
        }
        target.ownership.refuseUnmanaged(in: &plan)
        return plan
    }

    /// Runs a plan: the client and the replicator come from `plan.settings`, and the client is
    /// shut down however the run ends. The summary's row counts are then read from the target file.
    public static func run(_ plan: ReplicationPlan, workspace: Workspace, observer: (any TransferObserver)? = nil,
                           progress: (any ReplicationProgress)? = nil, logger: Logger) async throws -> ReplicationSummary {
        let client = try DatabricksClient(workspace: workspace, options: plan.settings.clientOptions,
                                          observer: observer, logger: logger)
        let summary = try await withShutdown(client) {
            try await Replicator(plan: plan, source: client, observer: observer, progress: progress, logger: logger).run()
        }
        let expectations = zip(plan.tables, summary.tables).map { table, outcome in
            TargetReadBack.Expectation(schema: table.targetSchema, table: table.targetTable,
                                       warehouseRows: expectedRows(table, outcome), version: table.version,
                                       liveOnly: table.sync.deletes == .soft && table.sync.keepsState)
        }
        return TargetReadBack.verify(summary, expectations: expectations, settings: plan.settings.target)
    }

    /// The rows the copy must hold after the run: the warehouse's count at the version (or, when the
    /// plan did not count, the pinned result's, which the load was checked against); nil where an
    /// incremental mode keeps rows the source no longer has.
    static func expectedRows(_ table: PlannedTable, _ outcome: ReplicationSummary.TableOutcome) -> Int64? {
        let incremental = table.sync.mode != .full && outcome.fullCopyReason == nil
        if !incremental { return table.rowCount ?? outcome.rows }
        if table.sync.mode == .append || table.sync.deletes == .ignore { return nil }
        return table.rowCount
    }

    /// Lists the source's tables matching a pattern such as `samples.tpch.*`.
    public static func tables(pattern: String, source: SourceSettings, logger: Logger) async throws -> [String] {
        var parts = pattern.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        while parts.count < 3 { parts.append("*") }
        guard parts.count == 3, let name = TableName(parsing: parts.joined(separator: ".")) else {
            throw UsageError("'\(pattern)' is not a pattern of catalog.schema.table, e.g. 'samples.tpch.*'.")
        }
        var input = CommandLineInput()
        input.source = source
        input.tables = [name.description]
        let setup = try RunSetup.resolve(input, requireTarget: false)
        if let note = setup.workspace.hostNote { logger.info("\(note)") }
        let client = try DatabricksClient(workspace: setup.workspace, options: ReplicationSettings(setup.config).clientOptions,
                                          logger: logger)
        return try await withShutdown(client) {
            let config = ReplicationConfig(tables: [TableSelection(name: name.description)])
            let planner = Planner(catalog: client, config: config, targetPath: "")
            if !name.isPattern { _ = try await client.describe(name); return [name.description] }
            return try await planner.expand().map { $0.0.description }
        }
    }

    static func withShutdown<T: Sendable>(_ client: DatabricksClient, _ body: () async throws -> T) async throws -> T {
        do {
            let value = try await body()
            try? await client.shutdown()
            return value
        } catch {
            try? await client.shutdown()   // the body's error is the one to report
            throw error
        }
    }
}
