import Databricks
import Foundation
import Logging

/// The commands' work, start to end: resolve, plan, run, always shutting the client down.
public enum Session {
    /// Plans without copying.
    public static func plan(_ input: CommandLineInput, logger: Logger) async throws -> ReplicationPlan {
        let setup = try RunSetup.resolve(input, requireTarget: false)
        let client = try setup.makeClient(logger: logger)
        return try await withShutdown(client) {
            try await Planner(catalog: client, config: setup.config, targetPath: setup.targetPath).plan()
        }
    }

    /// Plans and copies every table.
    public static func replicate(_ input: CommandLineInput, observer: (any TransferObserver)? = nil,
                                 progress: (any ReplicationProgress)? = nil, logger: Logger) async throws -> ReplicationSummary {
        let setup = try RunSetup.resolve(input)
        let client = try setup.makeClient(observer: observer, logger: logger)
        return try await withShutdown(client) {
            let plan = try await Planner(catalog: client, config: setup.config, targetPath: setup.targetPath).plan()
            var replicator = Replicator(plan: plan, source: client, target: setup.config.target, observer: observer,
                                        progress: progress, logger: logger)
            replicator.compressArrow = setup.config.defaults.compressArrow
            replicator.verification = setup.config.defaults.verify
            replicator.memoryBudgetBytes = setup.config.defaults.memoryBudgetBytes
            return try await replicator.run()
        }
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
        let client = try setup.makeClient(logger: logger)
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
