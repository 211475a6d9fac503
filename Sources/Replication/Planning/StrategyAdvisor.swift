import Foundation

/// Chooses a strategy for `auto`, and says why.
///
/// The starting point was the seed's table (basic < 100K rows, pandas/batch 100K–1M, parquet 1M–10M,
/// streaming > 10M). Measured here instead (release build, emulator on loopback, 2 shared cores):
/// `streaming` was the fastest at every size tried — 7 rows (`main.demo.all_types`), 15,000 rows,
/// a 50,000-row lineitem sample (`dbduck analyze --sample 50000`: streaming 185k rows/s, parquet 92k,
/// batch 52k, basic 629) and all 6,001,215 rows (streaming 16 s, parquet 33 s) — with the lowest peak
/// memory of the Arrow paths. So `auto` picks `streaming`; `dbduck analyze` re-measures on your data.
public enum StrategyAdvisor {
    /// Rows per second measured as above; used for the plan's time estimate only.
    public static let measuredRowsPerSecond: [LoadStrategy: Double] = [
        .basic: 629, .batch: 52_000, .parquet: 180_000, .streaming: 370_000,
    ]

    public static func choose(_ choice: StrategyChoice, rows: Int64, bytes: Int64?, columns: [PlannedColumn]) -> (LoadStrategy, String) {
        switch choice {
        case .fixed(let strategy):
            return (strategy, "configured")
        case .auto:
            let size = bytes.map { " (\(formatBytes($0)))" } ?? ""
            return (.streaming, "auto: \(rows) rows\(size); streaming measured fastest at every size from 7 rows to 6M, in constant memory")
        }
    }

    public static func estimatedSeconds(_ strategy: LoadStrategy, rows: Int64, bytes: Int64?) -> Double? {
        guard let rate = measuredRowsPerSecond[strategy], rate > 0 else { return nil }
        return Double(rows) / rate + 0.2   // + one statement round trip and commit
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
