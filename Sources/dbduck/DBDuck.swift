import ArgumentParser

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
}
