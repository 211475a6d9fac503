import Timing

/// How `dbduck analyze` sized the sample it profiled, as the report states it.
///
/// By default the sample is sized by time: a small probe copy measures rows per second, and the
/// profiled copy gets as many rows as fill ``targetSeconds`` of transfer (spread over the tables),
/// or whole tables when they are smaller. A copy that short is dominated by fixed costs (the commit,
/// metadata calls), so its shares would describe those rather than the steady state.
///
/// ```swift
/// let sizing = SampleSizing.byTime(targetSeconds: 5, probeRows: 40_000, probeTransferSeconds: 0.4,
///                                  tableRows: [6_001_215])
/// sizing.rowsPerTable   // 500000: 100k rows/s for 5 s
/// ```
public struct SampleSizing: Sendable, Codable, Hashable {
    public enum Method: String, Sendable, Codable, Hashable {
        /// Rows that fill ``targetSeconds`` at the probe's speed.
        case time
        /// Rows per table given on the command line.
        case rows
        /// Whole tables, asked for on the command line.
        case wholeTables
    }

    public var method: Method
    /// Rows per table in the sample; nil when every table is copied whole.
    public var rowsPerTable: Int64?
    /// Rows the sample holds, all tables together.
    public var sampleRows: Int64
    /// Rows the tables hold, all together.
    public var tableRows: Int64
    public var tables: Int
    /// Seconds of transfer the sample was sized for (``Method/time`` only).
    public var targetSeconds: Double?
    /// Rows the probe copied and the speed it measured (``Method/time`` only).
    public var probeRows: Int64?
    public var probeRowsPerSecond: Double?

    public init(method: Method, rowsPerTable: Int64?, sampleRows: Int64, tableRows: Int64, tables: Int,
                targetSeconds: Double? = nil, probeRows: Int64? = nil, probeRowsPerSecond: Double? = nil) {
        self.method = method; self.rowsPerTable = rowsPerTable; self.sampleRows = sampleRows
        self.tableRows = tableRows; self.tables = tables; self.targetSeconds = targetSeconds
        self.probeRows = probeRows; self.probeRowsPerSecond = probeRowsPerSecond
    }

    /// Fewest rows per table a time-sized sample takes, so a slow probe still leaves something to profile.
    public static let minimumRows: Int64 = 1_000
    /// A sample this close to the largest table takes whole tables instead: the probe's speed
    /// includes its own start-up, so the copy of the rest would take little longer.
    public static let wholeTableFraction = 0.75

    /// Sizes the sample from a probe: `probeRows` moved in `probeTransferSeconds` (see
    /// ``transferSeconds(of:)``); the sample gets the rows that fill `targetSeconds` at that speed,
    /// split evenly over the tables (see ``evenShare(of:over:)``) and rounded down to two
    /// significant digits, or whole tables
    /// when every table fits (or ``wholeTableFraction`` of the largest does).
    public static func byTime(targetSeconds: Double, probeRows: Int64, probeTransferSeconds: Double,
                              tableRows: [Int64]) -> SampleSizing {
        let rate = probeTransferSeconds > 0 ? Double(probeRows) / probeTransferSeconds : 0
        let total = tableRows.reduce(0, +)
        let perTable = evenShare(of: rate * targetSeconds, over: tableRows)
        let largest = tableRows.max() ?? 0
        if rate <= 0 || perTable >= Double(largest) * wholeTableFraction {
            // Nothing measured (an empty table), or every table fits or nearly does: copy them whole.
            return SampleSizing(method: .time, rowsPerTable: nil, sampleRows: total, tableRows: total, tables: tableRows.count,
                                targetSeconds: targetSeconds, probeRows: probeRows, probeRowsPerSecond: rate)
        }
        let rows = max(minimumRows, roundedDown(Int64(perTable)))
        return SampleSizing(method: .time, rowsPerTable: rows, sampleRows: tableRows.reduce(0) { $0 + min($1, rows) },
                            tableRows: total, tables: tableRows.count, targetSeconds: targetSeconds,
                            probeRows: probeRows, probeRowsPerSecond: rate)
    }

    /// A sample the command line fixed: `rows` per table, or whole tables when nil.
    public static func given(rowsPerTable rows: Int64?, tableRows: [Int64]) -> SampleSizing {
        let total = tableRows.reduce(0, +)
        return SampleSizing(method: rows == nil ? .wholeTables : .rows, rowsPerTable: rows,
                            sampleRows: rows.map { r in tableRows.reduce(0) { $0 + min($1, r) } } ?? total,
                            tableRows: total, tables: tableRows.count)
    }

    /// The seconds a copy spent moving rows: its elapsed time less the phases whose cost does not
    /// grow with the rows (commit, verification, metadata and API calls).
    public static func transferSeconds(of profile: PhaseProfile) -> Double {
        let fixed: [TransferPhase] = [.commit, .verify, .metadata, .request]
        let fixedSeconds = fixed.reduce(0) { $0 + (profile[$1]?.exclusiveSeconds ?? 0) }
        return max(0, profile.elapsedSeconds - fixedSeconds)
    }

    /// The rows per table that spend `budget` rows over `tables`: tables smaller than an even
    /// share are copied whole and leave the rest of their share to the larger ones.
    static func evenShare(of budget: Double, over tables: [Int64]) -> Double {
        var left = budget
        let sorted = tables.sorted()
        for (i, rows) in sorted.enumerated() {
            let share = left / Double(sorted.count - i)
            if Double(rows) > share { return share }
            left -= Double(rows)
        }
        return left + Double(sorted.last ?? 0)   // every table fits
    }

    /// `value` rounded down to two significant digits: 734_512 becomes 730_000.
    static func roundedDown(_ value: Int64) -> Int64 {
        var scale: Int64 = 1
        while value / scale >= 100 { scale *= 10 }
        return value / scale * scale
    }

    /// Whether the sample is every row of every table.
    public var isWholeTables: Bool { sampleRows >= tableRows }

    /// One sentence: how big the sample is and how it was sized.
    public var summary: String {
        let of = "\(sampleRows) of \(tableRows) rows across \(tables) table(s)"
        switch method {
        case .rows:
            return "sample: \(rowsPerTable ?? 0) rows per table (--sample), \(of)"
        case .wholeTables:
            return "sample: whole tables (--sample 0), \(of)"
        case .time:
            let target = Units.seconds(targetSeconds ?? 0)
            let probe = "a \(probeRows ?? 0)-row probe moved \(Units.rowsPerSecond(probeRowsPerSecond ?? 0))"
            if isWholeTables {
                let estimate = Units.seconds(Double(tableRows) / max(1, probeRowsPerSecond ?? 0))
                return "sample sized by time: \(probe), so whole tables, about \(estimate) of transfer at that speed (target \(target)); \(of)"
            }
            return "sample sized by time: \(probe), so \(rowsPerTable ?? 0) rows per table fill about \(target) of transfer; \(of)"
        }
    }
}
