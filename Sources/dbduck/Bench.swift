import ArgumentParser
import Foundation
import Profiling
import Replication

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the benchmark suite: config loading, type mapping, Arrow decode, transfers per strategy and size, memory per size.",
        discussion: "Without a source (no DATABRICKS_HOST, --host or profile), only the local cases run.")

    @OptionGroup var source: SourceOptions
    @Option(help: "Table the transfer cases copy.") var table = "samples.tpch.lineitem"
    @Option(help: "Row counts for the transfer cases, comma-separated.") var sizes = "10000,100000,1000000"
    @Option(help: "Strategies to time, comma-separated.") var strategies = "basic,batch,parquet,streaming"
    @Option(help: "Timed iterations per transfer case.") var iterations = 1
    @Option(help: "Only cases whose name contains this text.") var filter: String?
    @Option(help: "Save the results as JSON here.", completion: .file()) var out = "bench-results.json"
    @Option(help: "Print before/after ratios against an earlier results file.", completion: .file()) var compare: String?
    @Flag(name: .customLong("local-only"), help: "Run only the cases that need no warehouse.") var localOnly = false

    func run() async throws {
        let report = try await CLIRun.mapped {
            try await BenchSession.run(source: source.settings, table: table, sizes: sizes, strategies: strategies,
                                       iterations: iterations, filter: filter, localOnly: localOnly,
                                       logger: CLIRun.logger(verbose: false)) { line in
                FileHandle.standardError.write(Data("[dbduck] \(line)\n".utf8))
            }
        }
        print(report.table())
        try report.save(to: out)
        FileHandle.standardError.write(Data("[dbduck] results saved to \(out)\n".utf8))
        if let compare {
            let old = try BenchReport.load(from: compare)
            print(BenchComparison(old: old, new: report).table())
        }
    }
}
