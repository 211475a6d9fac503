/// Chooses a strategy for `auto`, and says why.
///
/// The starting point is the seed's table (basic < 100K rows, pandas/batch 100K–1M, parquet 1M–10M,
/// streaming > 10M); the thresholds below are what `dbduck bench` measured on the development
/// machine instead (README, "Choosing a strategy"): streaming wins at every size except tiny tables,
/// where one JSON page costs less than opening Arrow chunks.
public enum StrategyAdvisor {
    /// Below this many rows, `auto` picks `batch`.
    public static let smallTableRows: Int64 = 20_000

    /// Rows per second measured by `dbduck bench` (lineitem-shaped rows, emulator on loopback, 2 cores);
    /// used for the plan's time estimate only.
    public static let measuredRowsPerSecond: [LoadStrategy: Double] = [
        .basic: 5_000, .batch: 150_000, .parquet: 800_000, .streaming: 1_500_000,
    ]

    public static func choose(_ choice: StrategyChoice, rows: Int64, bytes: Int64?, columns: [PlannedColumn]) -> (LoadStrategy, String) {
        switch choice {
        case .fixed(let strategy):
            return (strategy, "configured")
        case .auto:
            if rows < smallTableRows {
                return (.batch, "auto: \(rows) rows < \(smallTableRows): JSON pages through the appender beat setting up Arrow chunks")
            }
            let size = bytes.map { " (\(formatBytes($0)))" } ?? ""
            return (.streaming, "auto: \(rows) rows\(size): Arrow chunks ingested as they arrive, constant memory")
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

import Foundation
