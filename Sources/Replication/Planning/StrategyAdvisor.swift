import Foundation

/// Chooses a strategy for `auto`, and says why.
///
/// The starting point was the seed's rule of thumb (row-by-row for small tables, then batch, then
/// Parquet, streaming only for the largest). Measured here instead, `streaming` came out fastest at
/// every table size tried, from a handful of rows to the full scale-1 lineitem, with the lowest peak
/// memory of the Arrow paths; so `auto` picks `streaming`. `make bench` compares the strategies again
/// on the full table (`bench/results/latest.md`), and `dbduck analyze` re-measures on your own data.
public enum StrategyAdvisor {
    /// Throughput of one strategy: rows, and bytes received from the warehouse, per second of a whole
    /// `dbduck replicate` run.
    public struct Throughput: Sendable, Equatable {
        public var rowsPerSecond: Double
        public var bytesPerSecond: Double
    }

    /// The plan's rates, the only place they live: the `dbduck-<strategy>` runs of `make bench`
    /// (`bench/results/latest.json`: `rows_per_s`, and the run's `bytes` over its `seconds`), scale-1
    /// lineitem (`basic` on the run's sample), rounded. Update them when a new `make bench` moves them. Used for the estimate only.
    public static let measuredThroughput: [LoadStrategy: Throughput] = [
        .basic: Throughput(rowsPerSecond: 5_600, bytesPerSecond: 860_000),
        .batch: Throughput(rowsPerSecond: 150_000, bytesPerSecond: 23_700_000),
        .parquet: Throughput(rowsPerSecond: 840_000, bytesPerSecond: 55_000_000),
        .streaming: Throughput(rowsPerSecond: 1_660_000, bytesPerSecond: 109_000_000),
    ]

    public static func choose(_ choice: StrategyChoice, rows: Int64?, bytes: Int64?, columns: [PlannedColumn]) -> (LoadStrategy, String) {
        switch choice {
        case .fixed(let strategy):
            return (strategy, "configured")
        case .auto:
            let size = bytes.map { " (\(formatBytes($0)))" } ?? ""
            let count = rows.map { "\($0) rows" } ?? "any size"
            return (.streaming, "auto: \(count)\(size); streaming measured fastest at every size from 7 rows to 6M, in constant memory")
        }
    }

    /// Seconds to copy `rows` rows whose table stores `bytes` bytes (`DESCRIBE DETAIL` size), at the
    /// measured rates. Rows decide it for tables shaped like the benchmark's: the stored size is
    /// smaller per row than the bytes on the wire that the byte rate counts. The byte term takes over
    /// only for tables with much wider rows, where a rows-only estimate would be far too low.
    public static func estimatedSeconds(_ strategy: LoadStrategy, rows: Int64, bytes: Int64?) -> Double? {
        guard let rate = measuredThroughput[strategy], rate.rowsPerSecond > 0, rate.bytesPerSecond > 0 else { return nil }
        let byRows = Double(rows) / rate.rowsPerSecond
        let byBytes = Double(max(bytes ?? 0, 0)) / rate.bytesPerSecond
        return max(byRows, byBytes) + 0.2   // + one statement round trip and commit
    }
}

/// `1.2 MB`, `340 KB`: decimal units, as download speeds are quoted.
public func formatBytes(_ bytes: Int64) -> String {
    let b = Double(bytes)
    if b >= 1e9 { return String(format: "%.1f GB", b / 1e9) }
    if b >= 1e6 { return String(format: "%.1f MB", b / 1e6) }
    if b >= 1e3 { return String(format: "%.0f KB", b / 1e3) }
    return "\(bytes) B"
}
