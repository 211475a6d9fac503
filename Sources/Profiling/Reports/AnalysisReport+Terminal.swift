import Foundation
import Timing

extension AnalysisReport {
    /// The report as plain text for a terminal (no colour, 100 columns).
    public func terminalText() -> String {
        var out: [String] = []
        out.append("\(title) — \(ISO8601DateFormatter().string(from: generatedAt))")
        out.append("")
        out.append("System")
        var system = "  \(self.system.cores) cores, \(Units.bytes(self.system.memoryBytes)) memory, \(self.system.operatingSystem)"
        if let version = self.system.duckdbVersion { system += ", DuckDB \(version)" }
        out.append(system)
        var link: [String] = []
        if let rtt = self.system.roundTripSeconds { link.append("round trip \(Units.seconds(rtt))") }
        if let bw = self.system.bandwidthBytesPerSecond { link.append("bandwidth \(Units.rate(bw)) (first chunks)") }
        if !link.isEmpty { out.append("  " + link.joined(separator: ", ")) }
        if !self.system.duckdbSettings.isEmpty {
            out.append("  DuckDB: " + self.system.duckdbSettings.map { "\($0.name)=\($0.value)" }.joined(separator: ", "))
        }
        out.append("  settings: strategy \(settings.strategy), chunk_size \(settings.chunkSize), download_parallelism \(settings.downloadParallelism)"
                   + (settings.threads.map { ", threads \($0)" } ?? "")
                   + (settings.memoryBudgetBytes.map { ", memory budget \(Units.bytes($0))" } ?? ""))
        if let sampling { out.append("  \(sampling.summary)") }
        for note in notes { out.append("  note: \(note)") }

        for profile in tables.isEmpty ? [overall] : tables {
            out.append("")
            out.append(Self.profileText(profile))
            if tables.count > 1, let main = bottleneck(of: profile.table) { out.append("  bottleneck: \(main.summary)") }
        }
        if tables.count > 1 {
            out.append("")
            out.append(Self.profileText(overall))
        }
        out.append("  " + overall.roundTripSummary(tables: max(tables.count, 1)))
        if let memory {
            out.append("")
            out.append("Memory")
            var line = "  peak RSS \(Units.bytes(memory.peakResidentBytes)) (baseline \(Units.bytes(memory.baselineResidentBytes)), +\(Units.bytes(memory.peakGrowthBytes)))"
            if let high = memory.bufferHighWaterBytes { line += ", download buffer high-water \(Units.bytes(high))" }
            out.append(line + ", \(memory.samples.count) samples")
        }
        out.append("")
        out.append(tables.count > 1 ? "Bottlenecks (all tables)" : "Bottlenecks")
        if bottlenecks.isEmpty { out.append("  none above the thresholds") }
        for (i, b) in bottlenecks.enumerated() { out.append("  \(i + 1). \(b.summary)") }
        if let comparison {
            out.append("")
            out.append("Strategies on the sample")
            var table = TextTable(["strategy", "seconds", "rows", "rows/s", "MB/s", "peak RSS", "vs slowest"], rightAligned: [1, 2, 3, 4, 5, 6])
            for e in comparison.entries {
                table.add([e.run.strategy + (e.fitsMemory ? "" : " (over memory)"), Units.seconds(e.run.seconds), String(e.run.rows),
                           Units.count(e.run.rowsPerSecond), Units.number(e.run.bytesPerSecond / 1e6),
                           Units.bytes(e.run.peakRSSBytes), Units.ratio(e.speedupOverSlowest)])
            }
            out.append(table.render())
            for e in comparison.entries { if let x = e.run.extrapolation { out.append("  \(e.run.strategy): \(x.summary)") } }
            out.append("  → \(comparison.summary)")
        }
        if !failures.isEmpty {
            out.append("")
            out.append("Failed measurements (nothing below is drawn from them)")
            for failure in failures { out.append("  \(failure.summary)") }
        }
        out.append("")
        out.append("Recommended dbduck.yml")
        out.append(indent(recommendation.dbduckYAML()))
        out.append("Seed form")
        out.append(indent(seedYAML))
        return out.joined(separator: "\n")
    }

    private func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
    }

    static func profileText(_ p: PhaseProfile) -> String {
        var out = ["\(p.table ?? "All tables"): \(Units.seconds(p.elapsedSeconds)), \(p.rows) rows, \(Units.bytes(p.bytes)), "
                   + "\(Units.rowsPerSecond(p.rowsPerSecond)), \(Units.rate(p.bytesPerSecond))"]
        var table = TextTable(["phase", "share", "wall", "summed", "in flight", "spans", "bytes", "rows/s", "MB/s"],
                              rightAligned: [1, 2, 3, 4, 5, 6, 7, 8])
        for s in p.phases {
            table.add([s.phase.label, Units.percent(s.share), Units.seconds(s.busySeconds), Units.seconds(s.summedSeconds),
                       Units.number(s.concurrency), String(s.events), s.bytes > 0 ? Units.bytes(s.bytes) : "",
                       s.rowsPerSecond.map { Units.count($0) } ?? "", s.bytesPerSecond.map { Units.number($0 / 1e6) } ?? ""])
        }
        if p.idleSeconds > 0 { table.add(["(idle)", Units.percent(p.idleShare), Units.seconds(p.idleSeconds)]) }
        out.append(table.render())
        let overlaps = p.overlaps.prefix(3).map { "\($0.first.label)+\($0.second.label) \(Units.seconds($0.seconds))" }
        if !overlaps.isEmpty { out.append("  overlapping: " + overlaps.joined(separator: ", ") + " (share splits overlapped time evenly)") }
        return out.joined(separator: "\n")
    }
}
