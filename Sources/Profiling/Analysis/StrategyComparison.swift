import Timing
/// One measured run of a strategy on the analysis sample.
public struct StrategyRun: Sendable, Codable, Hashable {
    public var strategy: String
    public var seconds: Double
    public var rows: Int
    public var bytes: Int
    public var peakRSSBytes: Int
    /// chunk_size used, when it applies.
    public var chunkSize: Int?
    /// Set when the run moved fewer rows than the sample: its time carried to the sample and the tables.
    public var extrapolation: Extrapolation?

    public init(strategy: String, seconds: Double, rows: Int, bytes: Int, peakRSSBytes: Int, chunkSize: Int? = nil,
                extrapolation: Extrapolation? = nil) {
        self.strategy = strategy; self.seconds = seconds; self.rows = rows; self.bytes = bytes
        self.peakRSSBytes = peakRSSBytes; self.chunkSize = chunkSize; self.extrapolation = extrapolation
    }

    public var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }
    public var bytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds : 0 }
}

/// Strategies side by side on the same sample, and the one to use.
///
/// Runs are compared by rows per second, so `basic` may run on a smaller slice of the sample.
/// The winner is the fastest run whose peak RSS fits the memory limit; runs within 5% of the
/// fastest count as a tie, won by the lower peak. The expected improvement is the winner's rows/s
/// over the current strategy's, both measured here.
///
/// ```swift
/// let comparison = StrategyComparison(runs: runs, current: "batch", memoryLimitBytes: 4 << 30)
/// comparison.summary   // "streaming: 3.1x the rows/s of batch on this 200k-row sample (2.4M vs 770k rows/s)"
/// ```
public struct StrategyComparison: Sendable, Codable, Hashable {
    public struct Entry: Sendable, Codable, Hashable {
        public var run: StrategyRun
        /// rows/s over the slowest run's rows/s.
        public var speedupOverSlowest: Double
        public var fitsMemory: Bool
    }

    /// Fastest first.
    public var entries: [Entry]
    public var best: String?
    public var current: String?
    /// best rows/s ÷ current rows/s, when both were measured.
    public var expectedSpeedup: Double?
    public var memoryLimitBytes: Int?

    public init(runs: [StrategyRun], current: String?, memoryLimitBytes: Int? = nil) {
        let measured = runs.filter { $0.seconds > 0 && $0.rows > 0 }
        let slowest = measured.map(\.rowsPerSecond).min() ?? 0
        entries = measured.sorted { $0.rowsPerSecond > $1.rowsPerSecond }.map { run in
            Entry(run: run, speedupOverSlowest: slowest > 0 ? run.rowsPerSecond / slowest : 1,
                  fitsMemory: memoryLimitBytes.map { run.peakRSSBytes <= $0 } ?? true)
        }
        self.current = current
        self.memoryLimitBytes = memoryLimitBytes
        let fitting = entries.filter(\.fitsMemory).map(\.run)
        if let fastest = fitting.first {
            let ties = fitting.filter { $0.rowsPerSecond >= fastest.rowsPerSecond * 0.95 }
            best = (ties.min { $0.peakRSSBytes < $1.peakRSSBytes } ?? fastest).strategy
        } else {
            best = entries.min { $0.run.peakRSSBytes < $1.run.peakRSSBytes }?.run.strategy
        }
        if let best, let current, let winner = run(best), let now = run(current), now.rowsPerSecond > 0 {
            expectedSpeedup = winner.rowsPerSecond / now.rowsPerSecond
        }
    }

    /// The measured run of `strategy`.
    public func run(_ strategy: String) -> StrategyRun? { entries.first { $0.run.strategy == strategy }?.run }

    /// One line naming the winner and its measured gain.
    public var summary: String {
        guard let best, let winner = run(best) else { return "no strategy runs to compare" }
        let sample = "\(Units.count(Double(entries.map(\.run.rows).max() ?? 0)))-row sample"
        guard let current, current != best, let now = run(current), let speedup = expectedSpeedup else {
            return "\(best): fastest on this \(sample) (\(Units.rowsPerSecond(winner.rowsPerSecond)), peak \(Units.bytes(winner.peakRSSBytes)))"
        }
        return "\(best): \(Units.ratio(speedup)) the rows/s of \(current) on this \(sample) (\(Units.count(winner.rowsPerSecond)) vs \(Units.count(now.rowsPerSecond)) rows/s, peak \(Units.bytes(winner.peakRSSBytes)) vs \(Units.bytes(now.peakRSSBytes)))"
    }
}
