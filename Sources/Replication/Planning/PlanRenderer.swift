import Foundation

/// The plan as `dbduck plan` prints it.
public enum PlanRenderer {
    public static func text(_ plan: ReplicationPlan) -> String {
        var lines = ["dbduck plan: \(plan.tables.count) table\(plan.tables.count == 1 ? "" : "s")" +
                     (plan.targetPath.isEmpty ? "" : " into \(plan.targetPath)") +
                     ", \(plan.settings.parallelTables) at a time (\(plan.settings.parallelTablesReason)), \(plan.settings.downloadParallelism) downloads per table"]
        if let threads = plan.settings.target.threads, let why = plan.settings.threadsReason {
            lines.append("DuckDB threads: \(threads) (\(why))")
        }
        if let inserters = plan.settings.rowInserters, plan.tables.contains(where: { $0.strategy == .basic }) {
            lines.append("`basic` rows: \(inserters) connection\(inserters == 1 ? "" : "s") inserting at once (\(plan.settings.rowInsertersReason ?? "configured"))")
        }
        var total = 0.0
        for t in plan.tables {
            let size = t.sizeBytes.map { formatBytes($0) } ?? "size unknown"
            let version = t.sourceKind.isView ? "\(t.pinText) (\(t.sourceKind.rawValue))" : t.pinText
            let eta = t.estimatedSeconds.map { String(format: "~%.1f s", $0) } ?? "?"
            total += t.estimatedSeconds ?? 0
            lines.append("  \(t.source) @\(version) -> \(t.target)")
            lines.append("      \(t.rowCount.map(String.init) ?? "?") rows, \(size), \(t.columns.count) columns\(t.filter.map { ", where \($0)" } ?? "")")
            lines.append("      strategy \(t.strategy): \(t.strategyReason); estimated \(eta)")
            lines.append("      " + syncLine(t))
            if let resume = t.resume.summary { lines.append("      " + resume) }
        }
        for missing in plan.unavailable {
            lines.append("  \(missing.source) -> \(missing.target): cannot be copied: \(missing.reason)")
        }
        lines.append(String(format: "estimated total: ~%.1f s (rates measured by `make bench` on the development machine)", total))
        return lines.joined(separator: "\n")
    }

    /// The table's mode and what this run would move.
    static func syncLine(_ t: PlannedTable) -> String {
        let sync = t.sync
        var line = "mode \(sync.mode): \(sync.reason)"
        if sync.mode == .full { return line }
        if let why = sync.fullCopyReason { return line + "; this run copies in full: \(why)" }
        if sync.mode == .cdf, let before = sync.previous?.version, let now = t.version {
            line += now > before ? "; changes of versions \(before + 1)...\(now)" : "; no new version since \(before): nothing moves"
        } else if let cursor = sync.cursor {
            line += "; rows with \(cursor) >= \(sync.previous?.bookmark ?? "(none yet)")"
        }
        if !sync.addedColumns.isEmpty { line += "; adds columns \(sync.addedColumns.joined(separator: ", "))" }
        return line
    }

    public static func json(_ plan: ReplicationPlan) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(plan), as: UTF8.self)
    }
}
