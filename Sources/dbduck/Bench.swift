import ArgumentParser
import Commands

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the benchmark suite: config loading, type mapping, Arrow decode, transfers per strategy and size, memory per size.",
        discussion: "Without a source (no DATABRICKS_HOST, --host or profile), only the local cases run.")

    @OptionGroup var source: SourceOptions
    @Option(name: .shortAndLong, help: "Replication config (YAML) whose defaults and target settings the transfers use.",
            completion: .file()) var config: String?
    @Option(help: "Table the transfer cases copy.") var table = "samples.tpch.lineitem"
    @Option(help: "Row counts for the transfer cases, comma-separated.") var sizes = "10000,100000,1000000"
    @Option(help: "Strategies to time, comma-separated.") var strategies = "basic,batch,parquet,streaming"
    @Option(help: "Timed iterations per transfer case.") var iterations = 1
    @Option(help: "Only cases whose name contains this text.") var filter: String?
    @Option(help: "Save the results as JSON here.", completion: .file()) var out = "bench-results.json"
    @Option(help: "Print before/after ratios against an earlier results file.", completion: .file()) var compare: String?
    @Flag(name: .customLong("local-only"), help: "Run only the cases that need no warehouse.") var localOnly = false

    func run() async throws {
        var input = source.input
        input.configPath = config
        var options = BenchSession.Options(input: input)
        options.table = table; options.sizes = sizes; options.strategies = strategies
        options.iterations = iterations; options.filter = filter; options.localOnly = localOnly
        try await perform(Self.self) { () async throws(CommandFailure) in try await CommandRunner.bench(options, out: out, compare: compare) }
    }
}
