import ArgumentParser
import Replication

/// Where the tables come from: flags shared by every command that talks to the warehouse.
/// Anything left out comes from DATABRICKS_* variables or ~/.databrickscfg, as the SDKs resolve it.
struct SourceOptions: ParsableArguments {
    @Option(help: "Workspace URL (or DATABRICKS_HOST).") var host: String?
    @Option(help: "Personal access token (or DATABRICKS_TOKEN). Prefer the variable: flags show in `ps`.") var token: String?
    @Option(help: "SQL warehouse id (or DATABRICKS_WAREHOUSE_ID).") var warehouse: String?
    @Option(help: "Profile in ~/.databrickscfg (or DATABRICKS_CONFIG_PROFILE).") var profile: String?
    @Option(name: .customLong("auth-type"), help: "Force an auth method: pat or oauth-m2m (or DATABRICKS_AUTH_TYPE).") var authType: String?
    @Option(name: .customLong("ca-file"), help: "Extra CA certificate (PEM) to trust, e.g. the emulator's.", completion: .file())
    var caFile: String?

    var settings: SourceSettings {
        SourceSettings(host: host, token: token, profile: profile, warehouseID: warehouse, authType: authType, caFile: caFile,
                       origin: "flags")
    }
}

/// Options of commands that run a replication (replicate, plan, analyze).
struct RunOptions: ParsableArguments {
    @Argument(help: "Tables to copy: catalog.schema.table, a part may be a pattern ('main.demo.*').")
    var tables: [String] = []
    @Option(name: .shortAndLong, help: "Replication config (YAML).", completion: .file()) var config: String?
    @Option(help: "Strategy: auto, basic, batch, parquet, streaming.") var strategy: String?
    @Option(name: .customLong("chunk-size"), help: "Rows per batch for the batch strategy.") var chunkSize: Int?
    @Option(name: .customLong("parallel-tables"), help: "Tables copied at once.") var parallelTables: Int?
    @Option(name: .customLong("download-parallelism"), help: "External links downloaded at once per table.")
    var downloadParallelism: Int?

    func input(source: SourceOptions, target: String?) -> CommandLineInput {
        var input = CommandLineInput()
        input.tables = tables
        input.configPath = config
        input.targetPath = target
        input.strategy = strategy
        input.chunkSize = chunkSize
        input.parallelTables = parallelTables
        input.downloadParallelism = downloadParallelism
        input.source = source.settings
        return input
    }
}
