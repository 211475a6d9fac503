import ArgumentParser
import Commands

struct Replicate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy Databricks tables into a DuckDB file.",
        discussion: """
        Each table is read at one pinned Delta version and replaces its previous copy atomically. A table \
        of the target that dbduck did not create is not replaced unless --replace-unmanaged (or \
        target.replace_unmanaged in the config) allows it. With --config, tables named here pick among the \
        config's tables, which keep their settings.

        Exit status: 0 every table copied; 1 a table failed (its previous copy is intact, the others \
        still commit) or the run could not start (workspace unreachable, target in use); 64 bad usage or \
        config; 130 interrupted (the tables under way keep their previous copies). With --json, stdout \
        holds one JSON document on every path, with an error object per failure.
        """)

    @OptionGroup var run: RunOptions
    @OptionGroup var source: SourceOptions
    @Option(help: "The DuckDB file to write (created if missing).", completion: .file()) var to: String?
    @Option(help: "What is checked before a table commits.") var verify: VerifyOption?
    @Flag(help: "Print one JSON summary on stdout.") var json = false
    @Flag(name: .shortAndLong, help: "Log more detail to stderr.") var verbose = false

    func run() async throws {
        var input = run.input(source: source, target: to)
        input.verify = verify?.rawValue
        try await perform(Self.self) { () async throws(CommandFailure) in try await CommandRunner.replicate(input, json: json, verbose: verbose) }
    }
}

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a replicate would do, without copying: tables, sizes, rows, strategy and why, estimated time.")

    @OptionGroup var run: RunOptions
    @OptionGroup var source: SourceOptions
    @Option(help: "The DuckDB file a replicate would write.") var to: String?
    @Flag(help: "Print the plan as JSON on stdout.") var json = false
    @Flag(name: .shortAndLong, help: "Log more detail to stderr.") var verbose = false

    func run() async throws {
        let input = run.input(source: source, target: to)
        try await perform(Self.self) { () async throws(CommandFailure) in try await CommandRunner.plan(input, json: json, verbose: verbose) }
    }
}

struct Tables: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the tables the source has (optionally matching a pattern).")

    @Argument(help: "A pattern such as 'samples.tpch.*' or 'main.*.*' (default: everything).") var pattern: String = "*.*.*"
    @OptionGroup var source: SourceOptions
    @Flag(help: "Print JSON on stdout.") var json = false

    func run() async throws {
        let input = source.input
        try await perform(Self.self) { () async throws(CommandFailure) in try await CommandRunner.tables(pattern: pattern, source: input.source, json: json) }
    }
}
