import Foundation

/// Sizes as dbduck.yml, the command line, reports and DuckDB's `memory_limit` write them, with one
/// meaning everywhere: DuckDB's. `KB`, `MB`, `GB`, `TB` (and `K`, `M`, `G`, `T`) are powers of
/// 1000; `KiB`, `MiB`, `GiB`, `TiB` are powers of 1024. So `64MB` is 64,000,000 bytes whether it
/// sizes dbduck's download budget or DuckDB's buffer pool, and a size written by ``literal(_:)``
/// reads back as the same number of bytes.
public enum ByteSize {
    private static let units: [(names: [String], factor: Double)] = [
        (["", "B", "BYTE", "BYTES"], 1),
        (["K", "KB", "KILOBYTE", "KILOBYTES"], 1e3),
        (["M", "MB", "MEGABYTE", "MEGABYTES"], 1e6),
        (["G", "GB", "GIGABYTE", "GIGABYTES"], 1e9),
        (["T", "TB", "TERABYTE", "TERABYTES"], 1e12),
        (["KIB"], 1024),
        (["MIB"], 1_048_576),
        (["GIB"], 1_073_741_824),
        (["TIB"], 1_099_511_627_776),
    ]

    /// Bytes in `text` (`4GB`, `512 MiB`, `1.5GB`, `1000000`), or nil when it is not a size.
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let digits = t.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number >= 0 else { return nil }
        let unit = t.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        guard let factor = units.first(where: { $0.names.contains(unit) })?.factor else { return nil }
        let bytes = (number * factor).rounded()
        guard bytes < 9e18 else { return nil }
        return Int(bytes)
    }

    /// The shortest exact literal for `bytes`: `64MB`, `512MiB`, `4GB`, or a plain byte count.
    /// `parse(literal(n)) == n` for every n ≥ 0.
    public static func literal(_ bytes: Int) -> String {
        let candidates: [(String, Int)] = [("TB", 1_000_000_000_000), ("TiB", 1 << 40), ("GB", 1_000_000_000), ("GiB", 1 << 30),
                                           ("MB", 1_000_000), ("MiB", 1 << 20), ("KB", 1000), ("KiB", 1024)]
        for (unit, factor) in candidates where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(unit)"
        }
        return "\(bytes)"
    }

    /// A literal for a recommendation: `bytes` rounded to whole MB (or GB from 10 GB up), so it
    /// reads well and still means what it says.
    public static func roundedLiteral(_ bytes: Int) -> String {
        if bytes >= 10_000_000_000 { return "\(Int((Double(bytes) / 1e9).rounded()))GB" }
        if bytes >= 1_000_000 { return "\(Int((Double(bytes) / 1e6).rounded()))MB" }
        return literal(bytes)
    }
}
