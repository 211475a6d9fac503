import Databricks
import Foundation
import Logging
import Replication
import Timing

/// What the command line says, before it is merged with a config file.
public struct CommandLineInput: Sendable {
    public var tables: [String] = []
    public var configPath: String?
    public var targetPath: String?
    public var strategy: String?
    public var chunkSize: Int?
    public var parallelTables: Int?
    public var downloadParallelism: Int?
    public var verify: String?
    /// Sync mode for every table (`--mode`), over the config's.
    public var mode: String?
    public var primaryKey: [String]?
    public var cursor: String?
    public var deletes: String?
    public var fullRefresh = false
    public var noFallback = false
    /// Discard saved progress of interrupted copies (`--restart`).
    public var restart = false
    /// `--checkpoint-every`, over the config's, for every table.
    public var checkpointEvery: String?
    /// Replace tables of the target that dbduck did not create (`--replace-unmanaged`).
    public var replaceUnmanaged = false
    /// `tables` stand in for the config's `tables:` instead of picking among them (bench: the config
    /// only lends its settings there).
    public var tablesReplaceConfig = false
    public var source = SourceSettings()

    public init() {}
}

/// A command line that cannot run: the CLI prints it with usage and exits 64.
public struct UsageError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Everything a run needs, resolved: the config (file + flags), the workspace and the target.
public struct RunSetup: Sendable {
    public var config: ReplicationConfig
    public var targetPath: String
    public var workspace: Workspace

    /// Merges flags over the config file (flags win), validates, and resolves credentials the way
    /// the Databricks SDKs do.
    public static func resolve(_ input: CommandLineInput, requireTarget: Bool = true,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RunSetup {
        var config = ReplicationConfig()
        if let path = input.configPath { config = try ConfigLoader.load(path: path) }
        if !input.tables.isEmpty {
            var names: [TableName] = []
            for text in input.tables {
                guard let name = TableName(parsing: text) else {
                    throw UsageError("'\(text)' is not a three-part table name. Write catalog.schema.table, e.g. samples.tpch.orders or 'main.demo.*'.")
                }
                names.append(name)
            }
            if input.configPath != nil && !input.tablesReplaceConfig {
                config.only = TableFilter(names)   // pick among the config's tables, which keep their settings
            } else {
                config.tables = input.tables.map { TableSelection(name: $0) }
            }
        }
        if let name = input.strategy {
            guard let choice = StrategyChoice(name: name) else {
                throw UsageError("--strategy must be one of \(StrategyChoice.validNames), got \"\(name)\".")
            }
            config.defaults.strategy = choice
            for i in config.tables.indices { config.tables[i].strategy = nil }   // the flag wins over per-table settings
        }
        if let n = input.chunkSize { config.defaults.chunkSize = try positive(n, "--chunk-size") }
        if let n = input.parallelTables { config.defaults.parallelTables = try positive(n, "--parallel-tables") }
        if let n = input.downloadParallelism { config.defaults.downloadParallelism = try positive(n, "--download-parallelism") }
        if let v = input.verify {
            guard let verification = Verification(rawValue: v) else { throw UsageError("--verify must be count, checksum or none, got \"\(v)\".") }
            config.defaults.verify = verification
        }
        try applySync(input, to: &config)
        if let text = input.checkpointEvery {
            guard let interval = CheckpointInterval(parsing: text) else {
                throw UsageError("--checkpoint-every must be a size received such as 256MB, a duration such as 30s, or 0 for none, got \"\(text)\".")
            }
            config.defaults.checkpointEvery = interval
            for i in config.tables.indices { config.tables[i].checkpointEvery = nil }
        }
        if input.restart { config.defaults.restart = true }
        if input.replaceUnmanaged { config.target.replaceUnmanaged = true }
        config.source = input.source.overriding(config.source)
        guard !config.tables.isEmpty else {
            throw UsageError("name the tables to copy, e.g. `dbduck replicate samples.tpch.orders --to analytics.duckdb`, or pass --config dbduck.yml.")
        }
        let target = input.targetPath ?? config.target.path
        if requireTarget && target == nil {
            throw UsageError("say where the tables go: --to analytics.duckdb, or `target: { path: ... }` in dbduck.yml.")
        }
        config.target.path = target
        if requireTarget, let target {
            // Judged by content before anything runs: a foreign file is refused, never overwritten.
            do { _ = try TargetFile.classify(target) } catch { throw UsageError(error.description) }
        }
        let workspace = try Workspace.resolve(config.source, environment: environment)
        return RunSetup(config: config, targetPath: target ?? "", workspace: workspace)
    }

    /// `--mode`, `--primary-key`, `--cursor`, `--deletes` win over every table's settings.
    private static func applySync(_ input: CommandLineInput, to config: inout ReplicationConfig) throws {
        if let name = input.mode {
            guard let mode = SyncMode(rawValue: name.lowercased()) else {
                throw UsageError("--mode must be one of \(SyncMode.validNames), got \"\(name)\".")
            }
            config.defaults.mode = mode
            for i in config.tables.indices { config.tables[i].mode = nil }
        }
        if let name = input.deletes {
            guard let deletes = DeletePolicy(rawValue: name.lowercased()) else {
                throw UsageError("--deletes must be hard, soft or ignore, got \"\(name)\".")
            }
            config.defaults.deletes = deletes
            for i in config.tables.indices { config.tables[i].deletes = nil }
        }
        if let key = input.primaryKey {
            guard !key.isEmpty, !key.contains(where: \.isEmpty) else {
                throw UsageError("--primary-key takes column names separated by commas, e.g. --primary-key order_id,line.")
            }
            for i in config.tables.indices { config.tables[i].primaryKey = key }
        }
        if let cursor = input.cursor {
            guard !cursor.isEmpty else { throw UsageError("--cursor takes a column name, e.g. --cursor updated_at.") }
            for i in config.tables.indices { config.tables[i].cursor = cursor }
        }
        if input.fullRefresh { config.defaults.fullRefresh = true }
        if input.noFallback { config.defaults.allowFallback = false }
    }

    private static func positive(_ n: Int, _ flag: String) throws -> Int {
        guard n > 0 else { throw UsageError("\(flag) must be a positive integer, got \(n).") }
        return n
    }
}
