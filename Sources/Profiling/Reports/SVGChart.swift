import Foundation
import Timing

/// Inline SVG charts for the HTML report: plain strings, no scripts, no external references.
/// (Inline SVG in HTML needs no xmlns, so the page holds no URL at all.)
enum SVGChart {
    struct Bar { var label: String; var value: Double; var text: String; var color: String; var background: Double? = nil }
    struct Series { var name: String; var points: [(x: Double, y: Double)]; var color: String }
    struct Lane { var label: String; var spans: [IntervalUnion.Span]; var color: String }

    static let width = 760.0

    /// Horizontal bars, one per item; `background` (0...max) draws a lighter bar behind.
    static func bars(_ bars: [Bar], maximum: Double? = nil, title: String) -> String {
        let row = 24.0, left = 150.0, right = 150.0
        let height = Double(bars.count) * row + 30
        let top = maximum ?? max(bars.map { max($0.value, $0.background ?? 0) }.max() ?? 1, 1e-12)
        let span = width - left - right
        var s = open(height: height, title: title)
        for (i, bar) in bars.enumerated() {
            let y = 22 + Double(i) * row
            s += text(left - 8, y + 14, bar.label, anchor: "end")
            if let back = bar.background {
                s += rect(left, y + 2, span * min(1, back / top), row - 6, bar.color, opacity: 0.25)
            }
            s += rect(left, y + 2, span * min(1, max(0, bar.value) / top), row - 6, bar.color)
            s += text(left + span + 8, y + 14, bar.text)
        }
        return s + "</svg>"
    }

    /// Line chart of one or more series sharing the y unit.
    static func lines(_ series: [Series], title: String, xLabel: String, yLabel: String,
                      format: (Double) -> String) -> String {
        let height = 250.0, left = 70.0, right = 20.0, top = 40.0, bottom = 40.0
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let x0 = xs.min() ?? 0, x1 = max(xs.max() ?? 1, x0 + 1e-9)
        let y1 = niceCeiling(max(ys.max() ?? 1, 1e-9))
        let w = width - left - right, h = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * w }
        func py(_ y: Double) -> Double { top + h - y / y1 * h }
        var s = open(height: height, title: title)
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + h))\" x2=\"\(f(left + w))\" y2=\"\(f(top + h))\" stroke=\"#999\"/>"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + h))\" stroke=\"#999\"/>"
        for k in 0...4 {
            let y = y1 * Double(k) / 4
            s += text(left - 6, py(y) + 4, format(y), anchor: "end", size: 10)
            if k > 0 { s += "<line x1=\"\(f(left))\" y1=\"\(f(py(y)))\" x2=\"\(f(left + w))\" y2=\"\(f(py(y)))\" stroke=\"#eee\"/>" }
            let x = x0 + (x1 - x0) * Double(k) / 4
            s += text(px(x), top + h + 14, Units.number(x), anchor: "middle", size: 10)
        }
        s += text(left + w / 2, height - 6, xLabel, anchor: "middle", size: 11)
        s += text(left, top - 8, yLabel, anchor: "middle", size: 11)
        for (i, one) in series.enumerated() where !one.points.isEmpty {
            let path = one.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(one.color)\" stroke-width=\"2\" points=\"\(path)\"/>"
            s += rect(width - right - 170, 6 + Double(i) * 16, 10, 10, one.color)
            s += text(width - right - 155, 15 + Double(i) * 16, one.name, size: 11)
        }
        return s + "</svg>"
    }

    /// One lane per phase with its active spans: overlapping phases show as stacked, aligned bars.
    static func timeline(_ lanes: [Lane], start: Double, end: Double, title: String) -> String {
        let row = 20.0, left = 150.0, right = 20.0
        let height = Double(lanes.count) * row + 50
        let w = width - left - right, range = max(end - start, 1e-9)
        var s = open(height: height, title: title)
        for (i, lane) in lanes.enumerated() {
            let y = 22 + Double(i) * row
            s += text(left - 8, y + 13, lane.label, anchor: "end")
            s += rect(left, y + 2, w, row - 4, "#f3f3f3")
            for span in lane.spans {
                let x = left + (span.start - start) / range * w
                s += rect(x, y + 2, max(0.8, span.length / range * w), row - 4, lane.color)
            }
        }
        let axis = 22 + Double(lanes.count) * row + 14
        for k in 0...4 {
            let t = range * Double(k) / 4
            s += text(left + w * Double(k) / 4, axis, Units.seconds(t), anchor: "middle", size: 10)
        }
        return s + "</svg>"
    }

    /// The smallest of 1, 2, 2.5, 5 × 10^k at or above `value`, so axis ticks are round numbers.
    static func niceCeiling(_ value: Double) -> Double {
        let scale = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * scale >= value * (1 - 1e-12) { return step * scale }
        return 10 * scale
    }

    static func color(_ phase: TransferPhase) -> String {
        switch phase {
        case .metadata: "#8c8c8c"
        case .request: "#b07aa1"
        case .warehouseWait: "#e15759"
        case .download: "#4e79a7"
        case .decompress: "#76b7b2"
        case .decode: "#f28e2b"
        case .convert: "#edc948"
        case .load: "#59a14f"
        case .commit: "#9c755f"
        case .verify: "#bab0ac"
        case .retry: "#ff4d4d"
        }
    }

    // MARK: primitives

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    private static func open(height: Double, title: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(f(width)) \(f(height))\" width=\"\(f(width))\" height=\"\(f(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
            + "<title>\(escape(title))</title>" + text(4, 14, title, size: 13, weight: "bold")
    }

    private static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, _ color: String, opacity: Double = 1) -> String {
        "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(max(0, w)))\" height=\"\(f(max(0, h)))\" fill=\"\(color)\"" +
            (opacity < 1 ? " fill-opacity=\"\(f(opacity))\"" : "") + "/>"
    }

    private static func text(_ x: Double, _ y: Double, _ content: String, anchor: String = "start",
                             size: Int = 12, weight: String = "normal") -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" font-weight=\"\(weight)\">\(escape(content))</text>"
    }

    private static func f(_ value: Double) -> String {
        value.isFinite ? String(format: "%.1f", value) : "0"
    }
}
