import Timing
extension Recommendation {
    /// The settings as a dbduck.yml fragment, ready to paste; changed keys carry a comment.
    public func dbduckYAML() -> String {
        let changed = Set(changes.map(\.setting.key))
        func line(_ key: String, _ value: String, section: String) -> String {
            let mark = changed.contains("\(section).\(key)") ? "   # changed" : ""
            return "  \(key): \(value)\(mark)"
        }
        var lines = ["defaults:",
                     line("strategy", strategy, section: "defaults"),
                     line("chunk_size", String(chunkSize), section: "defaults"),
                     line("download_parallelism", String(downloadParallelism), section: "defaults")]
        if let parallelTables { lines.append(line("parallel_tables", String(parallelTables), section: "defaults")) }
        if let memoryBudgetBytes { lines.append(line("memory_budget", ByteSize.literal(memoryBudgetBytes), section: "defaults")) }
        if let compression { lines.append(line("compression", compression, section: "defaults")) }
        if threads != nil || memoryLimitBytes != nil {
            lines.append("target:")
            if let threads { lines.append(line("threads", String(threads), section: "target")) }
            if let memoryLimitBytes { lines.append(line("memory_limit", ByteSize.literal(memoryLimitBytes), section: "target")) }
        }
        if let expectedSpeedup, expectedSpeedup > 1 {
            lines.append("# expected: \(Units.ratio(expectedSpeedup)) the rows/s of the current strategy, measured on the sample")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The seed's form: `global.default_optimization_level` (basic/pandas/parquet/streaming) and
    /// `global.default_chunk_size`, with the data profile it was derived from as comments.
    public func seedYAML(averageTableBytes: Int? = nil, rows: Int? = nil, roundTripSeconds: Double? = nil) -> String {
        var lines = ["global:",
                     "  default_optimization_level: \(Self.seedLevel(for: strategy))",
                     "  default_chunk_size: \(chunkSize)"]
        var profile: [String] = []
        if let averageTableBytes { profile.append("# - Average table size: \(Units.bytes(averageTableBytes))") }
        if let rows { profile.append("# - Row count: \(rows)") }
        if let roundTripSeconds { profile.append("# - Network latency: \(Units.seconds(roundTripSeconds))") }
        if !profile.isEmpty { lines += ["", "# For your data profile:"] + profile }
        return lines.joined(separator: "\n") + "\n"
    }
}
