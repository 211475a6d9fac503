import Timing

/// What limits a run.
public enum BottleneckKind: String, Sendable, Codable, CaseIterable {
    case download, warehouseWait, decompress, decode, convert, load, commit, metadata, request, verify
    case retryHeavy, memoryPressure, untracked

    /// The timed phase behind the kind, if it is one.
    public var phase: TransferPhase? {
        switch self {
        case .download: .download
        case .warehouseWait: .warehouseWait
        case .decompress: .decompress
        case .decode: .decode
        case .convert: .convert
        case .load: .load
        case .commit: .commit
        case .metadata: .metadata
        case .request: .request
        case .verify: .verify
        case .retryHeavy: .retry
        case .memoryPressure, .untracked: nil
        }
    }

    /// Short name used in report lines ("download", "warehouse wait", ...).
    public var label: String {
        switch self {
        case .warehouseWait: "warehouse wait"
        case .retryHeavy: "retries"
        case .memoryPressure: "memory"
        case .untracked: "untracked"
        default: rawValue
        }
    }
}

/// A change to one dbduck.yml setting.
public struct SettingChange: Sendable, Codable, Hashable {
    /// The key path in dbduck.yml, e.g. `defaults.download_parallelism` or `target.threads`.
    public var key: String
    public var from: String?
    public var to: String
    public init(key: String, from: String?, to: String) { self.key = key; self.from = from; self.to = to }
    /// The last component of ``key`` (`download_parallelism`).
    public var name: String { key.split(separator: ".").last.map(String.init) ?? key }
}

/// A named bottleneck: its weight, why it happens and what to change.
public struct Bottleneck: Sendable, Codable, Hashable {
    public var kind: BottleneckKind
    /// Share of the run's wall time (exclusive attribution). For ``BottleneckKind/memoryPressure``
    /// it is the peak's fraction of the memory limit it is measured against.
    public var share: Double
    /// What the measurements show, e.g. "2 parallel links saturate at 180 MB/s".
    public var cause: String
    /// What to do, e.g. "raise download_parallelism to 6".
    public var advice: String
    /// The setting change behind the advice, when there is one.
    public var change: SettingChange?

    public init(kind: BottleneckKind, share: Double, cause: String, advice: String, change: SettingChange? = nil) {
        self.kind = kind; self.share = share; self.cause = cause; self.advice = advice; self.change = change
    }

    /// One line: "download: 61% — 2 parallel links saturate at 180 MB/s; raise download_parallelism to 6".
    public var summary: String {
        let weight = kind == .memoryPressure ? "\(Units.percent(share)) of the limit" : Units.percent(share)
        return "\(kind.label): \(weight) — \(cause); \(advice)"
    }
}
