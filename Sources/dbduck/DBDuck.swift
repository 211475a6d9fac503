import ArgumentParser
import Commands

/// The `dbduck` command: parse, call a library, render. No logic of its own.
@main
struct DBDuck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbduck",
        abstract: "Replicate Databricks SQL warehouse tables into DuckDB, fast and in bounded memory.",
        discussion: """
        Credentials come from flags, DATABRICKS_* variables or ~/.databrickscfg, as the Databricks SDKs \
        resolve them. Run `dbduck <command> --help` for details.
        """,
        version: DBDuckVersion.string,
        subcommands: [Replicate.self, Plan.self, Tables.self, Analyze.self, Bench.self, Version.self]
    )

    /// ArgumentParser's own entry point, except that a command line it rejects still gets the one
    /// JSON document `--json` promises.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let status = exitCode(for: error)
            if !(error is ExitCode), status != .success, CommandLine.arguments.dropFirst().contains("--json") {
                print(JSONDocument.failure(CommandFailure(message: message(for: error), exitStatus: status.rawValue)))
            }
            exit(withError: error)
        }
    }
}
