import Foundation

/// Human-readable numbers for messages and reports. Bytes in decimal units (1 MB = 10^6 bytes), the
/// same meaning ``ByteSize`` gives a configured `64MB`, so a report and a config agree.
public enum Units {
    public static func bytes(_ value: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = value, i = 0
        while abs(v) >= 1000, i < units.count - 1 { v /= 1000; i += 1 }
        return i == 0 ? "\(Int(v)) B" : "\(number(v)) \(units[i])"
    }
    public static func bytes(_ value: Int) -> String { bytes(Double(value)) }
    public static func rate(_ bytesPerSecond: Double) -> String { bytes(bytesPerSecond) + "/s" }

    public static func count(_ value: Double) -> String {
        let a = abs(value)
        // Thresholds just below the powers of ten, so 999,999.7 reads "1.00M", not "1000k".
        if a >= 999_500_000 { return number(value / 1e9) + "G" }
        if a >= 999_500 { return number(value / 1e6) + "M" }
        if a >= 1e4 { return number(value / 1e3) + "k" }
        return a >= 100 || value == value.rounded() ? String(Int(value.rounded())) : number(value)
    }
    public static func rowsPerSecond(_ value: Double) -> String { count(value) + " rows/s" }

    public static func seconds(_ value: Double) -> String {
        if value == 0 { return "0 s" }
        if value >= 120 { return number(value / 60) + " min" }
        if value >= 1 { return number(value) + " s" }
        if value >= 0.001 { return number(value * 1000) + " ms" }
        return number(value * 1e6) + " µs"
    }
    public static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded()))%" }
    public static func ratio(_ value: Double) -> String { String(format: "%.2fx", value) }

    /// Three significant digits, no exponent.
    public static func number(_ value: Double) -> String {
        let a = abs(value)
        if a >= 100 { return String(Int(value.rounded())) }
        if a >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }
}
