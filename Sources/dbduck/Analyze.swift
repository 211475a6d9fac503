import ArgumentParser
import Commands

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Profile a replication phase by phase, measure memory, name the bottleneck and recommend settings.",
        discussion: """
        Copies a sample of each table into a scratch database (never your target), once with your settings \
        and once per strategy, and reports where the time went, what memory it took, and the settings to use \
        as YAML for dbduck.yml.
        """)

    @OptionGroup var run: RunOptions
    @OptionGroup var source: SourceOptions
    @Option(parsing: .unconditional, help: "Rows per table in the sample (0 = whole tables).") var sample: Int64 = 100_000
    @Flag(name: .customLong("no-compare"), help: "Skip running every strategy on the sample.") var noCompare = false
    @Flag(help: "Print the report as JSON on stdout.") var json = false
    @Option(help: "Also write a self-contained HTML report with charts.", completion: .file()) var html: String?
    @Flag(name: .shortAndLong, help: "Log more detail to stderr.") var verbose = false

    func validate() throws {
        guard sample >= 0 else { throw ValidationError("--sample must be a row count, or 0 for whole tables, got \(sample).") }
    }

    func run() async throws {
        var options = AnalyzeSession.Options(input: run.input(source: source, target: nil), sampleRows: sample > 0 ? sample : nil)
        options.compareStrategies = !noCompare
        try await perform(Self.self) { () async throws(CommandFailure) in
            try await CommandRunner.analyze(options, json: json, html: html, verbose: verbose)
        }
    }
}
