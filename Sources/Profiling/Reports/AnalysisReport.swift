import Foundation

/// Everything `dbduck analyze` found, as one Codable value: rendered as terminal text
/// (``terminalText()``), JSON (``jsonData()``) and a self-contained HTML page (``html()``).
///
/// ```swift
/// let report = AnalysisReport.analyze(events: recorder.events(), memory: sampler.stop(),
///                                     system: .current(duckdbVersion: "v2.0.1"), settings: used,
///                                     strategyRuns: runs)
/// print(report.terminalText())
/// try report.write(html: "report.html")
/// ```
public struct AnalysisReport: Sendable, Codable, Hashable {
    public var generatedAt: Date
    public var title: String
    public var system: SystemInfo
    public var settings: RunSettings
    /// One profile per table.
    public var tables: [PhaseProfile]
    /// All tables together.
    public var overall: PhaseProfile
    public var memory: MemoryTimeline?
    /// The bottleneck first, then the next ones (all tables together).
    public var bottlenecks: [Bottleneck]
    /// Each table's own main bottleneck, in the order of ``tables``.
    public var tableBottlenecks: [TableBottleneck]
    public var comparison: StrategyComparison?
    public var recommendation: Recommendation
    /// Free-form remarks from the caller (e.g. "sample: 100000 rows of 6001215").
    public var notes: [String]
    /// Measured copies that failed; none of them feeds the comparison or the recommendation.
    public var failures: [MeasurementFailure]
    /// How big the profiled sample was and how it was sized.
    public var sampling: SampleSizing?

    /// One table's main bottleneck.
    public struct TableBottleneck: Sendable, Codable, Hashable {
        public var table: String
        public var bottleneck: Bottleneck?
        public init(table: String, bottleneck: Bottleneck?) { self.table = table; self.bottleneck = bottleneck }
    }

    public init(generatedAt: Date, title: String, system: SystemInfo, settings: RunSettings,
                tables: [PhaseProfile], overall: PhaseProfile, memory: MemoryTimeline?, bottlenecks: [Bottleneck],
                tableBottlenecks: [TableBottleneck] = [], comparison: StrategyComparison?, recommendation: Recommendation,
                notes: [String] = [], failures: [MeasurementFailure] = [], sampling: SampleSizing? = nil) {
        self.generatedAt = generatedAt; self.title = title; self.system = system; self.settings = settings
        self.tables = tables; self.overall = overall; self.memory = memory; self.bottlenecks = bottlenecks
        self.tableBottlenecks = tableBottlenecks
        self.comparison = comparison; self.recommendation = recommendation; self.notes = notes
        self.failures = failures; self.sampling = sampling
    }

    /// Profiles the events, names the bottlenecks, compares the strategy runs and recommends settings.
    /// - Parameters:
    ///   - events: the recorded run (``PhaseRecorder/events()``), all tables.
    ///   - memory: the run's timeline from ``MemorySampler/stop()``.
    ///   - settings: the settings the recorded run used.
    ///   - strategyRuns: each strategy measured on the same sample (may be empty); only runs that
    ///     copied every table belong here.
    ///   - failures: measured copies that failed. When the run with the user's settings is among
    ///     them, its bottlenecks are reported but recommend nothing.
    ///   - sampling: how the sample was sized, stated in the report.
    ///
    /// Shares are computed once per profile and every section quotes them: with one table, its
    /// section is the profile of the whole run (events without a table, such as warehouse waits,
    /// belong to it), so the table, the bottlenecks and the run's totals agree.
    public static func analyze(events: [RecordedEvent], memory: MemoryTimeline?, system: SystemInfo,
                               settings: RunSettings, strategyRuns: [StrategyRun] = [],
                               title: String = "dbduck analyze", generatedAt: Date = Date(),
                               notes: [String] = [], failures: [MeasurementFailure] = [],
                               sampling: SampleSizing? = nil, analyzer: BottleneckAnalyzer = BottleneckAnalyzer()) -> AnalysisReport {
        let overall = PhaseProfile(events: events)
        let bottlenecks = analyzer.analyze(overall, settings: settings, system: system, memory: memory)
        let comparison = strategyRuns.isEmpty ? nil
            : StrategyComparison(runs: strategyRuns, current: settings.strategy,
                                 memoryLimitBytes: settings.memoryLimitBytes ?? system.memoryBytes)
        var tables = PhaseProfile.perTable(events)
        if tables.count == 1 {
            var whole = overall
            whole.table = tables[0].table
            tables = [whole]
        }
        // Per table without the memory timeline: memory belongs to the whole run.
        let perTable = tables.map { profile in
            TableBottleneck(table: profile.table ?? "", bottleneck: analyzer.analyze(profile, settings: settings, system: system).first)
        }
        let configuredFailed = failures.contains { $0.run == MeasurementFailure.configuredRun }
        let recommendation = Recommendation(settings: settings, comparison: comparison,
                                            bottlenecks: configuredFailed ? [] : bottlenecks)
        return AnalysisReport(generatedAt: generatedAt, title: title, system: system, settings: settings,
                              tables: tables, overall: overall, memory: memory,
                              bottlenecks: bottlenecks, tableBottlenecks: perTable, comparison: comparison,
                              recommendation: recommendation, notes: notes, failures: failures, sampling: sampling)
    }

    /// The main bottleneck of `table`, if it had one.
    public func bottleneck(of table: String?) -> Bottleneck? {
        tableBottlenecks.first { $0.table == table }?.bottleneck
    }

    /// The recommendation in the seed's YAML form, with this run's data profile as comments.
    public var seedYAML: String {
        let tableCount = max(1, tables.count)
        return recommendation.seedYAML(averageTableBytes: overall.bytes / tableCount, rows: overall.rows,
                                       roundTripSeconds: system.roundTripSeconds)
    }
}

extension AnalysisReport {
    /// Pretty-printed JSON with sorted keys and ISO 8601 dates.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Reads a report written by ``jsonData()``.
    public static func decode(json: Data) throws -> AnalysisReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(AnalysisReport.self, from: json)
    }

    /// Writes ``jsonData()`` to `path`.
    public func write(json path: String) throws {
        try jsonData().write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Writes ``html()`` to `path`.
    public func write(html path: String) throws {
        try Data(html().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
