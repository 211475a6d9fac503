import ArgumentParser
import Commands

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Profile a replication phase by phase, measure memory, name the bottleneck and recommend settings.",
        discussion: """
        Copies a sample of each table into a scratch database (never your target), once with your settings \
        and once per strategy, and reports where the time went, what memory it took, and the settings to use \
        as YAML for dbduck.yml. By default a probe copy measures the speed and the sample gets the rows that \
        fill --sample-seconds of transfer (or whole tables when smaller); --sample fixes the rows instead. \
        The row-by-row basic strategy runs on a small sub-sample, extrapolated to the sample and the tables.
        """)

    @OptionGroup var run: RunOptions
    @OptionGroup var source: SourceOptions
    @Option(parsing: .unconditional, help: "Rows per table in the sample (0 = whole tables); without it the sample is sized by time.") var sample: Int64?
    @Option(name: .customLong("sample-seconds"), parsing: .unconditional, help: "Seconds of transfer the sample is sized for, measured by a probe copy.")
    var sampleSeconds: Double = AnalyzeSession.defaultSampleSeconds
    @Flag(name: .customLong("no-compare"), help: "Skip running every strategy on the sample.") var noCompare = false
    @Flag(help: "Print the report as JSON on stdout.") var json = false
    @Option(help: "Also write a self-contained HTML report with charts.", completion: .file()) var html: String?
    @Flag(name: .shortAndLong, help: "Log more detail to stderr.") var verbose = false

    func validate() throws {
        if let sample, sample < 0 {
            throw ValidationError("--sample must be a row count, or 0 for whole tables, got \(sample).")
        }
        guard sampleSeconds > 0, sampleSeconds.isFinite else {
            throw ValidationError("--sample-seconds must be a positive number of seconds, got \(sampleSeconds).")
        }
    }

    func run() async throws {
        let size: AnalyzeSession.SampleSize = switch sample {
        case nil: .byTime(seconds: sampleSeconds)
        case 0?: .wholeTables
        case let rows?: .rows(rows)
        }
        var options = AnalyzeSession.Options(input: run.input(source: source, target: nil), sample: size)
        options.compareStrategies = !noCompare
        options.quiet = json
        try await perform(Self.self) { () async throws(CommandFailure) in
            try await CommandRunner.analyze(options, json: json, html: html, verbose: verbose)
        }
    }
}
