import Foundation
import Replication
import Synchronization
import Timing

/// Progress on stderr: one live line per table (rows, MB/s, ETA) on a terminal, plain log lines
/// otherwise (start, every 5 s, end), so logs stay readable in CI.
public final class ProgressDisplay: ReplicationProgress {
    private struct Line {
        var table: PlannedTable
        var rows: Int64 = 0
        var bytes: Int64 = 0
        var started = ContinuousClock.now
        var lastLog = ContinuousClock.now
        var done: String?
        /// What the table waits for before its first rows, e.g. "warehouse starting (PENDING 40 s)".
        var waiting: String?
    }

    private struct State {
        var lines: [Line] = []
        var drawn = 0
        var lastDraw = ContinuousClock.now
    }

    private let state = Mutex(State())
    private let live: Bool
    /// Put before every line, e.g. the strategy `analyze` is measuring.
    private let label: String?

    public init(live: Bool = isatty(STDERR_FILENO) == 1, label: String? = nil) { self.live = live; self.label = label }

    private var prefix: String { label.map { "\($0): " } ?? "" }

    public func started(_ table: PlannedTable) {
        state.withLock { s in
            s.lines.append(Line(table: table))
            if live { redraw(&s) } else { write("[dbduck] \(prefix)\(table.source) -> \(table.target): \(table.strategy)\(table.rowCount.map { ", \($0) rows" } ?? "")\n") }
        }
    }

    public func advanced(_ table: PlannedTable, rows: Int64, bytes: Int64) {
        state.withLock { s in
            guard let i = s.lines.lastIndex(where: { $0.table.target == table.target }) else { return }
            s.lines[i].rows = rows
            s.lines[i].bytes = bytes
            s.lines[i].waiting = nil
            show(&s, line: i)
        }
    }

    public func waiting(_ table: PlannedTable, state: String, elapsed: Duration) {
        self.state.withLock { s in
            guard let i = s.lines.lastIndex(where: { $0.table.target == table.target }) else { return }
            let what = state == "PENDING" ? "warehouse starting or queued" : "warehouse running the query"
            s.lines[i].waiting = "\(what) (\(state) \(Int(elapsed.seconds)) s)"
            show(&s, line: i)
        }
    }

    public func finished(_ table: PlannedTable, _ outcome: ReplicationSummary.TableOutcome) {
        state.withLock { s in
            guard let i = s.lines.lastIndex(where: { $0.table.target == table.target }) else { return }
            s.lines[i].rows = outcome.rows
            s.lines[i].done = outcome.status == "succeeded"
                ? String(format: "done in %.2f s", outcome.seconds) : "FAILED: \(outcome.error ?? "")"
            if live { redraw(&s) } else { write("[dbduck] \(describe(s.lines[i]))\n") }
        }
    }

    private func describe(_ line: Line) -> String {
        if line.done == nil, line.rows == 0, let waiting = line.waiting {
            return "\(prefix)\(line.table.source) -> \(line.table.target): \(waiting)"
        }
        let seconds = max((ContinuousClock.now - line.started).seconds, 0.001)
        guard let total = line.table.rowCount else {
            let text = "\(prefix)\(line.table.source) -> \(line.table.target): \(line.rows) rows"
            if let done = line.done { return text + ", " + done }
            return text + String(format: ", %.1f MB/s", Double(line.bytes) / 1e6 / seconds)
        }
        let percent = total > 0 ? min(100, Double(line.rows) * 100 / Double(total)) : 100
        var text = "\(prefix)\(line.table.source) -> \(line.table.target): \(line.rows)/\(total) rows (\(String(format: "%.0f", percent))%)"
        if let done = line.done { return text + ", " + done }
        text += String(format: ", %.1f MB/s", Double(line.bytes) / 1e6 / seconds)
        if line.rows > 0, total > line.rows {
            let eta = Double(total - line.rows) / (Double(line.rows) / seconds)
            text += String(format: ", ETA %.0f s", eta)
        }
        return text
    }

    /// Shows a changed line: redrawn at most every 100 ms on a terminal, logged every 5 s otherwise.
    private func show(_ s: inout State, line i: Int) {
        let now = ContinuousClock.now
        if live {
            if now - s.lastDraw > .milliseconds(100) { redraw(&s) }
        } else if now - s.lines[i].lastLog > .seconds(5) {
            s.lines[i].lastLog = now
            write("[dbduck] \(describe(s.lines[i]))\n")
        }
    }

    /// Moves the cursor up over the lines drawn last time and draws them all again.
    private func redraw(_ s: inout State) {
        var out = s.drawn > 0 ? "\u{1B}[\(s.drawn)A" : ""
        for line in s.lines { out += "\r\u{1B}[2K" + describe(line) + "\n" }
        s.drawn = s.lines.count
        s.lastDraw = .now
        write(out)
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
