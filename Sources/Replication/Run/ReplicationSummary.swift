import Foundation
import Timing

/// What a run did, table by table: printed as text, or as one JSON document with `--json`.
public struct ReplicationSummary: Sendable, Codable {
    public struct TableOutcome: Sendable, Codable {
        public var source: String
        public var target: String
        public var strategy: LoadStrategy
        public var status: String          // "succeeded" | "failed"
        public var rows: Int64
        public var bytes: Int64
        public var seconds: Double
        public var sourceVersion: Int64?
        public var error: String?
        /// `v12`, or `not pinned` for a view (nothing pins what it reads).
        public var sourcePin: String?
        /// How the table was synced: `full`, or the incremental mode and its window's first version.
        public var mode: SyncMode = .full
        public var versionFrom: Int64?
        public var rowsInserted: Int64?
        public var rowsUpdated: Int64?
        public var rowsDeleted: Int64?
        /// Why an incremental table was copied in full this run (first run, fallback, full refresh).
        public var fullCopyReason: String?
        /// What became of an interrupted copy's saved progress: resumed, started over, or discarded.
        public var resumeNote: String?
        /// False when a failure came after the commit (the read-back found the wrong rows), so the
        /// previous copy is gone; nil otherwise.
        public var previousCopyKept: Bool?

        public var rowsPerSecond: Double { seconds > 0 ? Double(rows) / seconds : 0 }
    }

    public var runID: String
    public var targetPath: String
    public var startedAt: Date
    public var seconds: Double
    public var tables: [TableOutcome]

    public var succeeded: Bool { tables.allSatisfy { $0.status == "succeeded" } }
    public var failed: [TableOutcome] { tables.filter { $0.status != "succeeded" } }

    /// A few aligned lines for a terminal.
    public var text: String {
        var lines: [String] = []
        let ok = tables.count - failed.count
        lines.append("dbduck: \(ok) of \(tables.count) table\(tables.count == 1 ? "" : "s") copied into \(targetPath) in \(String(format: "%.2f", seconds)) s (run \(runID.prefix(8)))")
        for t in tables {
            if t.status == "succeeded" {
                let version = t.sourceVersion.map { v in t.versionFrom.map { " @v\($0)..v\(v)" } ?? " @v\(v)" } ?? (t.sourcePin.map { " @\($0)" } ?? "")
                var line = "  ok      \(t.source)\(version) -> \(t.target)  "
                if let inserted = t.rowsInserted, t.fullCopyReason == nil, t.mode != .full {
                    line += "\(t.mode): +\(inserted) ~\(t.rowsUpdated ?? 0) -\(t.rowsDeleted ?? 0) rows, "
                } else {
                    line += "\(t.rows) rows, "
                }
                line += "\(formatBytes(t.bytes)), \(String(format: "%.2f", t.seconds)) s, \(t.strategy)"
                if t.mode != .full, let reason = t.fullCopyReason { line += "; full copy: \(reason)" }
                if let note = t.resumeNote { line += "; \(note)" }
                lines.append(line)
            } else {
                lines.append("  FAILED  \(t.source) -> \(t.target): \(t.error ?? "unknown error")\(t.previousCopyKept == false ? "" : " (its previous copy is unchanged)")" +
                             (t.resumeNote.map { "; \($0)" } ?? ""))
            }
        }
        return lines.joined(separator: "\n")
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
