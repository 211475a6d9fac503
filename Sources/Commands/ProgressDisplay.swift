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
        /// The chunk the table waits for once rows flow (1-based) and the result's chunk count.
        var nextChunk: (index: Int, of: Int)?
        var lastAdvance = ContinuousClock.now
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

    private let ticker = Mutex<Task<Void, Never>?>(nil)
    /// A download that has sent nothing for this long is shown as waiting for its chunk.
    static let quietAfter: Duration = .seconds(3)

    public init(live: Bool = isatty(STDERR_FILENO) == 1, label: String? = nil) {
        self.live = live; self.label = label
        // Events redraw the lines; a stalled download sends none, so a clock shows it.
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let self else { return }
                self.tick()
            }
        }
        ticker.withLock { $0 = task }
    }

    deinit { ticker.withLock { $0?.cancel() } }

    /// Stops the clock; lines already drawn stay.
    public func stop() { ticker.withLock { $0?.cancel() } }

    public func awaiting(_ table: PlannedTable, chunk: Int, of total: Int) {
        state.withLock { s in
            guard let i = s.lines.lastIndex(where: { $0.table.target == table.target }) else { return }
            if s.lines[i].rows == 0 && s.lines[i].nextChunk == nil {
                s.lines[i].lastAdvance = .now   // the statement is done: the wait for rows starts here
            }
            s.lines[i].nextChunk = (chunk, total)
            s.lines[i].waiting = nil
        }
    }

    private func tick() {
        state.withLock { s in
            let now = ContinuousClock.now
            for i in s.lines.indices where s.lines[i].done == nil && isQuiet(s.lines[i], now: now) {
                show(&s, line: i)
            }
        }
    }

    private func isQuiet(_ line: Line, now: ContinuousClock.Instant) -> Bool {
        line.nextChunk != nil && now - line.lastAdvance >= Self.quietAfter
    }

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
            s.lines[i].nextChunk = nil          // set again while more chunks are to come
            s.lines[i].lastAdvance = .now
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
        let now = ContinuousClock.now
        if line.done == nil, isQuiet(line, now: now), let (chunk, count) = line.nextChunk {
            return "\(prefix)\(line.table.source) -> \(line.table.target): \(line.rows) rows, waiting for chunk \(chunk) of \(count) "
                + "(\(Int((now - line.lastAdvance).seconds)) s)"
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
