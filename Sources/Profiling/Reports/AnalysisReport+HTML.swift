import Foundation
import Timing

extension AnalysisReport {
    /// One self-contained HTML page: inline CSS and SVG charts (phase breakdown, timeline,
    /// throughput over time, memory over time, strategy comparison), no scripts, no URLs.
    public func html() -> String {
        var body: [String] = []
        body.append("<h1>\(e(title))</h1><p class=\"muted\">\(e(ISO8601DateFormatter().string(from: generatedAt)))</p>")
        body.append(summarySection())
        body.append(systemSection())
        for profile in tables.isEmpty ? [overall] : tables { body.append(profileSection(profile)) }
        if tables.count > 1 { body.append(profileSection(overall)) }
        if let memory { body.append(memorySection(memory)) }
        if let comparison { body.append(comparisonSection(comparison)) }
        if !failures.isEmpty {
            body.append("<section><h2>Failed measurements</h2><p>Nothing recommended here is drawn from them.</p><ul>"
                        + failures.map { "<li>\(e($0.summary))</li>" }.joined() + "</ul></section>")
        }
        body.append("<section><h2>Recommended settings</h2><h3>dbduck.yml</h3><pre>\(e(recommendation.dbduckYAML()))</pre>"
                    + "<h3>Seed form</h3><pre>\(e(seedYAML))</pre></section>")
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(e(title))</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1000px;color:#222;padding:0 16px}
        h1{margin-bottom:0}h2{border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:32px}
        .muted{color:#777}table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
        td:first-child,th:first-child{text-align:left}table.kv td{text-align:left}pre{background:#f6f8fa;padding:10px;border-radius:4px}
        .bottleneck{font-size:1.1em}.chart{display:block;margin:12px 0;max-width:100%;height:auto}
        .chart text{font-family:inherit;fill:#333}
        </style></head><body>
        \(body.joined(separator: "\n"))
        </body></html>
        """
    }

    private func e(_ text: String) -> String { SVGChart.escape(text) }

    private func summarySection() -> String {
        var s = "<section><h2>\(tables.count > 1 ? "Bottlenecks (all tables)" : "Bottlenecks")</h2>"
        if bottlenecks.isEmpty { s += "<p>None above the thresholds.</p>" }
        s += "<ol>" + bottlenecks.map { "<li class=\"bottleneck\">\(e($0.summary))</li>" }.joined() + "</ol>"
        if let comparison { s += "<p><strong>Strategy:</strong> \(e(comparison.summary))</p>" }
        return s + "</section>"
    }

    private func systemSection() -> String {
        var rows: [(String, String)] = [
            ("cores", String(system.cores)), ("memory", Units.bytes(system.memoryBytes)), ("OS", system.operatingSystem),
        ]
        if let v = system.duckdbVersion { rows.append(("DuckDB", v)) }
        for setting in system.duckdbSettings { rows.append(("DuckDB \(setting.name)", setting.value)) }
        if let rtt = system.roundTripSeconds { rows.append(("round trip", Units.seconds(rtt))) }
        if let bw = system.bandwidthBytesPerSecond { rows.append(("bandwidth (first chunks)", Units.rate(bw))) }
        rows += [("strategy", settings.strategy), ("chunk_size", String(settings.chunkSize)),
                 ("download_parallelism", String(settings.downloadParallelism))]
        if let t = settings.threads { rows.append(("threads", String(t))) }
        if let b = settings.memoryBudgetBytes { rows.append(("memory budget", Units.bytes(b))) }
        if let sampling { rows.append(("sample", sampling.summary)) }
        for note in notes { rows.append(("note", note)) }
        return "<section><h2>System and settings</h2><table class=\"kv\">"
            + rows.map { "<tr><td>\(e($0.0))</td><td>\(e($0.1))</td></tr>" }.joined() + "</table></section>"
    }

    private func profileSection(_ p: PhaseProfile) -> String {
        let name = p.table ?? "All tables"
        var s = "<section><h2>\(e(name))</h2><p>\(e(Units.seconds(p.elapsedSeconds))), \(p.rows) rows, \(e(Units.bytes(p.bytes))), "
            + "\(e(Units.rowsPerSecond(p.rowsPerSecond))), \(e(Units.rate(p.bytesPerSecond)))</p>"
        if tables.count > 1, p.table != nil, let main = bottleneck(of: p.table) {
            s += "<p class=\"bottleneck\"><strong>Bottleneck:</strong> \(e(main.summary))</p>"
        }
        let bars = p.phases.map {
            SVGChart.Bar(label: $0.phase.label, value: $0.share,
                         text: "\(Units.percent($0.share)) (wall \(Units.seconds($0.busySeconds)))",
                         color: SVGChart.color($0.phase),
                         background: p.elapsedSeconds > 0 ? $0.busySeconds / p.elapsedSeconds : nil)
        } + (p.idleSeconds > 0 ? [SVGChart.Bar(label: "(idle)", value: p.idleShare, text: Units.percent(p.idleShare), color: "#cccccc")] : [])
        s += SVGChart.bars(bars, maximum: 1, title: "Phase breakdown — solid: exclusive share, light: wall time active")
        s += SVGChart.timeline(p.phases.map { SVGChart.Lane(label: $0.phase.label, spans: $0.spans, color: SVGChart.color($0.phase)) },
                               start: p.start, end: p.end, title: "Timeline — overlapping phases run at the same time")
        if !p.throughput.isEmpty {
            let t0 = p.start
            if p.throughput.contains(where: { $0.downloadBytes > 0 }) {
                s += SVGChart.lines([SVGChart.Series(name: "download MB/s", points: p.throughput.map { ($0.start + $0.width / 2 - t0, $0.bytesPerSecond / 1e6) }, color: SVGChart.color(.download))],
                                    title: "Download throughput over time", xLabel: "seconds", yLabel: "MB/s", format: Units.number)
            }
            if p.throughput.contains(where: { $0.rows > 0 }) {
                s += SVGChart.lines([SVGChart.Series(name: "rows/s", points: p.throughput.map { ($0.start + $0.width / 2 - t0, $0.rowsPerSecond) }, color: SVGChart.color(.load))],
                                    title: "Rows per second over time", xLabel: "seconds", yLabel: "rows/s", format: Units.count)
            }
        }
        s += "<table><tr><th>phase</th><th>share</th><th>wall</th><th>summed</th><th>in flight</th><th>spans</th><th>bytes</th><th>rows/s</th><th>MB/s</th></tr>"
        for st in p.phases {
            s += "<tr><td>\(st.phase.label)</td><td>\(Units.percent(st.share))</td><td>\(e(Units.seconds(st.busySeconds)))</td>"
                + "<td>\(e(Units.seconds(st.summedSeconds)))</td><td>\(Units.number(st.concurrency))</td><td>\(st.events)</td>"
                + "<td>\(st.bytes > 0 ? e(Units.bytes(st.bytes)) : "")</td><td>\(st.rowsPerSecond.map { Units.count($0) } ?? "")</td>"
                + "<td>\(st.bytesPerSecond.map { Units.number($0 / 1e6) } ?? "")</td></tr>"
        }
        s += "</table>"
        if !p.overlaps.isEmpty {
            s += "<p class=\"muted\">Overlapping: " + e(p.overlaps.prefix(4).map { "\($0.first.label) + \($0.second.label) \(Units.seconds($0.seconds))" }.joined(separator: ", "))
                + ". Wall time counts each phase once; shares split overlapped time evenly.</p>"
        }
        return s + "</section>"
    }

    private func memorySection(_ m: MemoryTimeline) -> String {
        var s = "<section><h2>Memory</h2><p>peak RSS \(e(Units.bytes(m.peakResidentBytes))) (baseline \(e(Units.bytes(m.baselineResidentBytes))))"
        if let high = m.bufferHighWaterBytes { s += ", download buffer high-water \(e(Units.bytes(high)))" }
        s += ", \(m.samples.count) samples every \(e(Units.seconds(m.intervalSeconds)))</p>"
        var series = [SVGChart.Series(name: "RSS MB", points: m.samples.map { ($0.time, Double($0.residentBytes) / 1e6) }, color: "#4e79a7")]
        if m.samples.contains(where: { $0.bufferBytes != nil }) {
            series.append(SVGChart.Series(name: "download buffer MB", points: m.samples.compactMap { s in s.bufferBytes.map { (s.time, Double($0) / 1e6) } }, color: "#f28e2b"))
        }
        s += SVGChart.lines(series, title: "Memory over time", xLabel: "seconds", yLabel: "MB", format: Units.number)
        return s + "</section>"
    }

    private func comparisonSection(_ c: StrategyComparison) -> String {
        var s = "<section><h2>Strategies on the sample</h2>"
        s += SVGChart.bars(c.entries.map {
            SVGChart.Bar(label: $0.run.strategy, value: $0.run.rowsPerSecond,
                         text: "\(Units.rowsPerSecond($0.run.rowsPerSecond))", color: $0.run.strategy == c.best ? "#59a14f" : "#4e79a7")
        }, title: "Rows per second by strategy")
        s += SVGChart.bars(c.entries.map {
            SVGChart.Bar(label: $0.run.strategy, value: Double($0.run.peakRSSBytes), text: Units.bytes($0.run.peakRSSBytes),
                         color: $0.fitsMemory ? "#76b7b2" : "#e15759")
        }, title: "Peak RSS by strategy")
        s += "<table><tr><th>strategy</th><th>seconds</th><th>rows</th><th>rows/s</th><th>MB/s</th><th>peak RSS</th><th>vs slowest</th></tr>"
        for entry in c.entries {
            let r = entry.run
            s += "<tr><td>\(e(r.strategy))</td><td>\(e(Units.seconds(r.seconds)))</td><td>\(r.rows)</td><td>\(Units.count(r.rowsPerSecond))</td>"
                + "<td>\(Units.number(r.bytesPerSecond / 1e6))</td><td>\(e(Units.bytes(r.peakRSSBytes)))</td><td>\(Units.ratio(entry.speedupOverSlowest))</td></tr>"
        }
        s += "</table>"
        for entry in c.entries { if let x = entry.run.extrapolation { s += "<p>\(e(entry.run.strategy)): \(e(x.summary))</p>" } }
        return s + "<p>\(e(c.summary))</p></section>"
    }
}
