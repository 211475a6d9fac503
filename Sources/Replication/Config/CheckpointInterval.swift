import Foundation
import Timing

/// How often a full copy saves its progress in the target (`checkpoint_every:`): after this many
/// bytes received from the warehouse, or after this long, whichever the setting names. An
/// interruption then costs at most one interval of work; `0` turns checkpoints off (the whole copy
/// is one transaction, as it was before copies could resume).
public enum CheckpointInterval: Sendable, Equatable, Codable, CustomStringConvertible {
    case off
    case bytes(Int)
    case seconds(Double)

    /// 256MB received. A checkpoint commits rows DuckDB has already written and, for `streaming`,
    /// ends one parallel Arrow-scan INSERT and starts the next, so it costs a pause rather than
    /// extra writing; at this size the pauses are rare against the time the bytes take to arrive,
    /// while an interruption still loses only a small share of a large copy. A table of a few
    /// intervals also checkpoints every quarter of its rows (see ``CheckpointTracker``); tables
    /// under 64MB never checkpoint and behave exactly as an uncheckpointed copy.
    public static let standard = CheckpointInterval.bytes(256_000_000)

    public var isOn: Bool { self != .off }

    /// `256MB`, `1GiB`, a byte count, `30s`, `500ms`, `5min`, `1h`, or `0` (off). Not `5m`: in a
    /// size `M` means megabytes.
    public init?(parsing text: String) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("min", 60), ("h", 3600)]
        for (unit, factor) in units where t.hasSuffix(unit) {
            let number = t.dropLast(unit.count).trimmingCharacters(in: .whitespaces)
            guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(number) else { continue }
            self = value == 0 ? .off : .seconds(value * factor)
            return
        }
        guard let bytes = ByteSize.parse(text) else { return nil }
        self = bytes == 0 ? .off : .bytes(bytes)
    }

    public var description: String {
        switch self {
        case .off: "0"
        case .bytes(let n): ByteSize.literal(n)
        case .seconds(let s): s == s.rounded() ? "\(Int(s))s" : "\(Int((s * 1000).rounded()))ms"
        }
    }
}
