import Foundation
import Timing

/// One benchmark case's measurements.
///
/// JSON keys are snake_case (`rows_per_s`, `peak_rss_bytes`), as in `bench/results/latest.json`.
public struct BenchResult: Sendable, Codable, Hashable {
    public var name: String
    /// What varied (e.g. `["strategy": "streaming", "rows": "1000000"]`).
    public var parameters: [String: String]
    /// Measured iterations (after warm-up).
    public var iterations: Int
    /// Median seconds per iteration.
    public var seconds: Double
    public var minSeconds: Double
    public var maxSeconds: Double
    /// Rows (or items) one iteration processed.
    public var rows: Int
    public var bytes: Int
    /// rows ÷ median seconds.
    public var rowsPerSecond: Double
    /// Highest RSS during the case, when it could be measured.
    public var peakRSSBytes: Int?
    /// Peak RSS minus the RSS when the case started.
    public var peakRSSGrowthBytes: Int?

    enum CodingKeys: String, CodingKey {
        case name, parameters, iterations, seconds, rows, bytes
        case minSeconds = "min_seconds", maxSeconds = "max_seconds", rowsPerSecond = "rows_per_s"
        case peakRSSBytes = "peak_rss_bytes", peakRSSGrowthBytes = "peak_rss_growth_bytes"
    }

    public init(name: String, parameters: [String: String] = [:], iterations: Int, seconds: Double,
                minSeconds: Double? = nil, maxSeconds: Double? = nil, rows: Int = 0, bytes: Int = 0,
                peakRSSBytes: Int? = nil, peakRSSGrowthBytes: Int? = nil) {
        self.name = name; self.parameters = parameters; self.iterations = iterations; self.seconds = seconds
        self.minSeconds = minSeconds ?? seconds; self.maxSeconds = maxSeconds ?? seconds
        self.rows = rows; self.bytes = bytes
        self.rowsPerSecond = seconds > 0 ? Double(rows) / seconds : 0
        self.peakRSSBytes = peakRSSBytes; self.peakRSSGrowthBytes = peakRSSGrowthBytes
    }

    /// Identifies the case across runs: the name plus its parameters in key order.
    public var key: String {
        parameters.isEmpty ? name : name + " [" + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "]"
    }

    /// Seconds per row, for per-item costs (e.g. the recorder's cost per event).
    public var secondsPerRow: Double? { rows > 0 ? seconds / Double(rows) : nil }
}

/// The results of one `dbduck bench` run, saved as JSON.
public struct BenchReport: Sendable, Codable, Hashable {
    public var createdAt: Date
    public var system: SystemInfo?
    public var results: [BenchResult]

    enum CodingKeys: String, CodingKey { case createdAt = "created_at", system, results }

    public init(createdAt: Date = Date(), system: SystemInfo? = nil, results: [BenchResult]) {
        self.createdAt = createdAt; self.system = system; self.results = results
    }

    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    public static func decode(json: Data) throws -> BenchReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(BenchReport.self, from: json)
    }

    public func save(to path: String) throws {
        try jsonData().write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func load(from path: String) throws -> BenchReport {
        try decode(json: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The results as an aligned text table.
    public func table() -> String {
        var table = TextTable(["case", "iter", "median", "min", "rows", "rows/s", "peak RSS", "+RSS"], rightAligned: [1, 2, 3, 4, 5, 6, 7])
        for r in results {
            table.add([r.key, String(r.iterations), Units.seconds(r.seconds), Units.seconds(r.minSeconds),
                       r.rows > 0 ? Units.count(Double(r.rows)) : "", r.rows > 0 ? Units.count(r.rowsPerSecond) : "",
                       r.peakRSSBytes.map(Units.bytes) ?? "", r.peakRSSGrowthBytes.map(Units.bytes) ?? ""])
        }
        var out = table.render(indent: "")
        let scaling = MemoryScaling.all(in: results)
        if !scaling.isEmpty { out += "\nmemory as size grows:\n" + scaling.map { "  " + $0.summary }.joined(separator: "\n") }
        return out
    }
}
