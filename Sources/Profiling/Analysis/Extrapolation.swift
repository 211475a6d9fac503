import Timing

/// A strategy measured on fewer rows than the sample (the row-by-row `basic` strategy runs on a
/// small sub-sample), carried to the sample and the whole tables at its measured rows per second.
public struct Extrapolation: Sendable, Codable, Hashable {
    public var measuredRows: Int
    public var measuredSeconds: Double
    public var sampleRows: Int
    public var sampleSeconds: Double
    public var tableRows: Int
    public var tableSeconds: Double

    /// - Parameters:
    ///   - measuredRows, measuredSeconds: what the sub-sample run moved and took.
    ///   - sampleRows, tableRows: the rows to extrapolate to.
    public init(measuredRows: Int, measuredSeconds: Double, sampleRows: Int, tableRows: Int) {
        self.measuredRows = measuredRows; self.measuredSeconds = measuredSeconds
        self.sampleRows = sampleRows; self.tableRows = tableRows
        let secondsPerRow = measuredRows > 0 ? measuredSeconds / Double(measuredRows) : 0
        sampleSeconds = secondsPerRow * Double(sampleRows)
        tableSeconds = secondsPerRow * Double(tableRows)
    }

    /// "measured on 3000 rows; at that speed the 500000-row sample would take 6.1 min, all 6001215 rows 73 min"
    public var summary: String {
        let rate = measuredSeconds > 0 ? Double(measuredRows) / measuredSeconds : 0
        let measured = "measured on a \(measuredRows)-row sub-sample (\(Units.rowsPerSecond(rate))); at that speed "
        if sampleRows >= tableRows { return measured + "the whole \(tableRows) rows would take \(Units.seconds(tableSeconds))" }
        return measured + "the \(sampleRows)-row sample would take \(Units.seconds(sampleSeconds)), all \(tableRows) rows \(Units.seconds(tableSeconds))"
    }
}
