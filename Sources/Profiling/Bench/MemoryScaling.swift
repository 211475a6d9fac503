import Timing
/// How peak memory grows with rows across a sized series of one bench case (see
/// ``BenchCase/sized(_:sizes:parameters:iterations:warmup:make:)``): e.g. 10x the rows must not
/// mean 10x the peak for `streaming`.
public struct MemoryScaling: Sendable, Codable, Hashable {
    public struct Point: Sendable, Codable, Hashable {
        public var rows: Int
        public var peakRSSBytes: Int
        public var peakRSSGrowthBytes: Int
    }

    public var name: String
    /// The series' parameters other than `rows`.
    public var parameters: [String: String]
    /// Ascending by rows.
    public var points: [Point]

    /// The results named `name` whose parameters include `parameters`, that have a `rows`
    /// parameter and a measured peak. Nil with fewer than two sizes.
    public init?(results: [BenchResult], name: String, parameters: [String: String] = [:]) {
        let points = results.compactMap { r -> Point? in
            guard r.name == name, parameters.allSatisfy({ r.parameters[$0.key] == $0.value }),
                  let rows = r.parameters["rows"].flatMap(Int.init), let peak = r.peakRSSBytes else { return nil }
            return Point(rows: rows, peakRSSBytes: peak, peakRSSGrowthBytes: r.peakRSSGrowthBytes ?? 0)
        }.sorted { $0.rows < $1.rows }
        guard points.count >= 2, let first = points.first, first.rows > 0 else { return nil }
        self.name = name
        self.parameters = parameters
        self.points = points
    }

    /// Every sized series in `results`: the same name and parameters apart from `rows`, at two
    /// or more sizes with a measured peak. In report order of first appearance.
    public static func all(in results: [BenchResult]) -> [MemoryScaling] {
        var order: [String] = [], groups: [String: (String, [String: String])] = [:]
        for r in results where r.parameters["rows"] != nil {
            var rest = r.parameters
            rest["rows"] = nil
            let key = BenchResult(name: r.name, parameters: rest, iterations: 0, seconds: 0).key
            if groups[key] == nil { order.append(key); groups[key] = (r.name, rest) }
        }
        return order.compactMap { key in groups[key].flatMap { MemoryScaling(results: results, name: $0.0, parameters: $0.1) } }
    }

    /// Largest rows ÷ smallest rows.
    public var rowsRatio: Double { Double(points[points.count - 1].rows) / Double(points[0].rows) }
    /// Peak RSS at the largest size ÷ at the smallest.
    public var peakRatio: Double { Double(points[points.count - 1].peakRSSBytes) / Double(max(1, points[0].peakRSSBytes)) }
    /// Peak RSS growth over each case's starting RSS, largest size ÷ smallest: the fairer figure
    /// when all sizes ran in one process. Nil when the smallest size grew nothing measurable.
    public var growthRatio: Double? {
        let first = points[0].peakRSSGrowthBytes
        return first > 0 ? Double(points[points.count - 1].peakRSSGrowthBytes) / Double(first) : nil
    }
    /// Peak grows more slowly than rows.
    public var isSublinear: Bool { peakRatio < rowsRatio }

    /// "transfer [strategy=streaming]: 10.0x the rows, 1.12x the peak RSS (95.0 MB -> 106 MB), 1.30x the growth".
    public var summary: String {
        let label = BenchResult(name: name, parameters: parameters, iterations: 0, seconds: 0).key
        return "\(label): \(Units.number(rowsRatio))x the rows, \(Units.ratio(peakRatio)) the peak RSS "
            + "(\(Units.bytes(points[0].peakRSSBytes)) -> \(Units.bytes(points[points.count - 1].peakRSSBytes)))"
            + (growthRatio.map { ", \(Units.ratio($0)) the growth" } ?? "")
    }
}
