import Timing
/// Before/after ratios between two bench runs, matched by ``BenchResult/key``.
///
/// ```swift
/// let diff = BenchComparison(old: try .load(from: "old.json"), new: report)
/// print(diff.table())      // speedup = old seconds ÷ new seconds: > 1 is faster
/// ```
public struct BenchComparison: Sendable, Codable, Hashable {
    public struct Entry: Sendable, Codable, Hashable {
        public var key: String
        public var old: BenchResult
        public var new: BenchResult
        /// new seconds ÷ old seconds (< 1 is faster; 0 when the old time was 0).
        public var timeRatio: Double
        /// old seconds ÷ new seconds (> 1 is faster; 0 when the new time was 0).
        public var speedup: Double
        /// new rows/s ÷ old rows/s, when both moved rows.
        public var rowsPerSecondRatio: Double?
        /// new peak RSS ÷ old peak RSS, when both were measured.
        public var peakRSSRatio: Double?
    }

    /// Cases in both runs, in the new run's order.
    public var entries: [Entry]
    /// Keys only in the old run.
    public var onlyOld: [String]
    /// Keys only in the new run.
    public var onlyNew: [String]

    public init(old: BenchReport, new: BenchReport) {
        let before = Dictionary(old.results.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let afterKeys = Set(new.results.map(\.key))
        var seen = Set<String>()
        entries = new.results.compactMap { result in
            guard let previous = before[result.key], seen.insert(result.key).inserted else { return nil }
            return Entry(key: result.key, old: previous, new: result,
                         timeRatio: previous.seconds > 0 ? result.seconds / previous.seconds : 0,
                         speedup: result.seconds > 0 ? previous.seconds / result.seconds : 0,
                         rowsPerSecondRatio: previous.rowsPerSecond > 0 && result.rowsPerSecond > 0 ? result.rowsPerSecond / previous.rowsPerSecond : nil,
                         peakRSSRatio: Self.ratio(result.peakRSSBytes, previous.peakRSSBytes))
        }
        onlyOld = old.results.map(\.key).filter { !afterKeys.contains($0) }
        onlyNew = new.results.map(\.key).filter { before[$0] == nil }
    }

    public static func compare(old: BenchReport, new: BenchReport) -> BenchComparison { BenchComparison(old: old, new: new) }

    private static func ratio(_ new: Int?, _ old: Int?) -> Double? {
        guard let new, let old, old > 0 else { return nil }
        return Double(new) / Double(old)
    }

    /// Before/after as an aligned table.
    public func table() -> String {
        var table = TextTable(["case", "before", "after", "speedup", "rows/s ratio", "peak RSS ratio"], rightAligned: [1, 2, 3, 4, 5])
        for e in entries {
            table.add([e.key, Units.seconds(e.old.seconds), Units.seconds(e.new.seconds), Units.ratio(e.speedup),
                       e.rowsPerSecondRatio.map(Units.ratio) ?? "", e.peakRSSRatio.map(Units.ratio) ?? ""])
        }
        var out = table.render(indent: "")
        if !onlyOld.isEmpty { out += "\nonly before: " + onlyOld.joined(separator: "; ") }
        if !onlyNew.isEmpty { out += "\nonly after: " + onlyNew.joined(separator: "; ") }
        return out
    }
}
