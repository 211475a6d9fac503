import ArgumentParser
import Commands
import Foundation

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

    /// A command line holding only these flags.
    var input: CommandLineInput {
        var input = CommandLineInput()
        input.source.host = host
        input.source.token = token
        input.source.warehouseID = warehouse
        input.source.profile = profile
        input.source.authType = authType
        input.source.caFile = caFile
        input.source.origin = "flags"
        return input
    }
}

extension StrategyOption: ExpressibleByArgument {}
extension VerifyOption: ExpressibleByArgument {}
extension ModeOption: ExpressibleByArgument {}
extension DeletesOption: ExpressibleByArgument {}

/// Options of commands that run a replication (replicate, plan, analyze).
struct RunOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Tables to copy: catalog.schema.table, a part may be a pattern ('main.demo.*').",
                                 discussion: "With --config, they pick among the config's tables (which keep their settings); a name the config does not select is an error."))
    var tables: [String] = []
    @Option(name: .shortAndLong, help: "Replication config (YAML).", completion: .file()) var config: String?
    @Option(help: "How rows travel (auto picks per table).") var strategy: StrategyOption?
    // Numbers are read unconditionally so `--chunk-size -1` reaches the same check as `--chunk-size=-1`
    // instead of being taken for an option.
    @Option(name: .customLong("chunk-size"), parsing: .unconditional, help: "Rows per batch for the batch strategy.") var chunkSize: Int?
    @Option(name: .customLong("parallel-tables"), parsing: .unconditional, help: "Tables copied at once.") var parallelTables: Int?
    @Option(name: .customLong("download-parallelism"), parsing: .unconditional, help: "External links downloaded at once per table.")
    var downloadParallelism: Int?
    @Option(help: "How tables follow their source: a full copy, or only what changed since the last run.") var mode: ModeOption?
    @Option(name: .customLong("primary-key"), help: "Key columns for merge and cdf, comma-separated (default: the table's PRIMARY KEY).")
    var primaryKey: String?
    @Option(help: "A column that grows with every change, for append and merge without a change feed.") var cursor: String?
    @Option(help: "What a row deleted upstream becomes in the copy.") var deletes: DeletesOption?
    @Flag(name: .customLong("full-refresh"), help: "Copy every table in full this run, whatever its mode.") var fullRefresh = false
    @Flag(name: .customLong("no-fallback"), help: "Fail a table whose changes cannot be read incrementally instead of copying it in full.")
    var noFallback = false
    @Flag(help: "Discard the saved progress of interrupted copies and copy those tables from the first row.") var restart = false
    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional,
            help: "Save a full copy's progress every this many bytes received (256MB) or this long (30s); 0: never.")
    var checkpointEvery: String?
    @Flag(name: .customLong("replace-unmanaged"),
          help: "Replace tables of the target that dbduck did not create (refused otherwise; config: target.replace_unmanaged).")
    var replaceUnmanaged = false

    func input(source: SourceOptions, target: String?) -> CommandLineInput {
        var input = source.input
        input.tables = tables
        input.configPath = config
        input.targetPath = target
        input.strategy = strategy?.rawValue
        input.chunkSize = chunkSize
        input.parallelTables = parallelTables
        input.downloadParallelism = downloadParallelism
        input.mode = mode?.rawValue
        input.primaryKey = primaryKey.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        input.cursor = cursor
        input.deletes = deletes?.rawValue
        input.fullRefresh = fullRefresh
        input.noFallback = noFallback
        input.restart = restart
        input.checkpointEvery = checkpointEvery
        input.replaceUnmanaged = replaceUnmanaged
        return input
    }
}

/// Runs a command of the commands layer and prints its output: a usage error shows the command's
/// usage and exits 64; any other failure prints one line and exits with its status. With `--json`
/// a failure's JSON document goes to stdout as well.
func perform(_ command: any ParsableCommand.Type, _ body: () async throws(CommandFailure) -> CommandOutput) async throws {
    let output: CommandOutput
    do {
        output = try await body()
    } catch let failure {
        if let json = failure.json { print(json) }
        var text = "Error: \(failure.message)\n"
        if failure.isUsage {
            text += "Usage: " + DBDuck.usageString(for: command).replacingOccurrences(of: "Usage: ", with: "")
            text += "\n  See 'dbduck \(command._commandName) --help' for more information.\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
        throw ExitCode(failure.exitStatus)
    }
    if !output.stdout.isEmpty { print(output.stdout) }
    if output.exitStatus != 0 { throw ExitCode(output.exitStatus) }
}
