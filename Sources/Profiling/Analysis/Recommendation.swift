import Timing
/// The settings to use, from the strategy comparison and the bottlenecks' setting changes.
///
/// ```swift
/// let rec = Recommendation(settings: used, comparison: comparison, bottlenecks: found)
/// print(rec.dbduckYAML())   // defaults: { strategy: ..., chunk_size: ..., download_parallelism: ... }
/// print(rec.seedYAML())     // global: { default_optimization_level: ..., default_chunk_size: ... }
/// ```
public struct Recommendation: Sendable, Codable, Hashable {
    public var strategy: String
    public var chunkSize: Int
    public var downloadParallelism: Int
    public var parallelTables: Int?
    public var memoryBudgetBytes: Int?
    public var compression: String?
    public var threads: Int?
    public var memoryLimitBytes: Int?
    /// Measured gain of the recommended strategy over the current one on the sample (rows/s ratio).
    public var expectedSpeedup: Double?
    /// Changes from the settings used, each with its reason.
    public var changes: [Change]

    public struct Change: Sendable, Codable, Hashable {
        public var setting: SettingChange
        public var reason: String
    }

    public init(strategy: String, chunkSize: Int, downloadParallelism: Int, parallelTables: Int? = nil,
                memoryBudgetBytes: Int? = nil, compression: String? = nil, threads: Int? = nil,
                memoryLimitBytes: Int? = nil, expectedSpeedup: Double? = nil, changes: [Change] = []) {
        self.strategy = strategy; self.chunkSize = chunkSize; self.downloadParallelism = downloadParallelism
        self.parallelTables = parallelTables; self.memoryBudgetBytes = memoryBudgetBytes
        self.compression = compression; self.threads = threads; self.memoryLimitBytes = memoryLimitBytes
        self.expectedSpeedup = expectedSpeedup; self.changes = changes
    }

    /// Starts from `settings`, takes the comparison's winner as the strategy, then applies the
    /// setting change of each bottleneck in order (the first change to a key wins).
    public init(settings: RunSettings, comparison: StrategyComparison?, bottlenecks: [Bottleneck]) {
        self.init(strategy: settings.strategy, chunkSize: settings.chunkSize,
                  downloadParallelism: settings.downloadParallelism, parallelTables: settings.parallelTables,
                  memoryBudgetBytes: settings.memoryBudgetBytes, compression: settings.compression,
                  threads: settings.threads, memoryLimitBytes: settings.memoryLimitBytes)
        var decided = Set<String>()
        if let comparison, let best = comparison.best, best != settings.strategy {
            strategy = best
            expectedSpeedup = comparison.expectedSpeedup
            decided.insert("defaults.strategy")
            changes.append(Change(setting: SettingChange(key: "defaults.strategy", from: settings.strategy, to: best),
                                  reason: comparison.summary))
        }
        for bottleneck in bottlenecks {
            guard let change = bottleneck.change, !decided.contains(change.key), apply(change) else { continue }
            decided.insert(change.key)
            changes.append(Change(setting: change, reason: bottleneck.summary))
        }
    }

    /// Sets the typed field behind `change.key`; false for keys it does not know or bad values.
    private mutating func apply(_ change: SettingChange) -> Bool {
        switch change.key {
        case "defaults.strategy": strategy = change.to
        case "defaults.chunk_size": guard let v = Int(change.to) else { return false }; chunkSize = v
        case "defaults.download_parallelism": guard let v = Int(change.to) else { return false }; downloadParallelism = v
        case "defaults.parallel_tables": guard let v = Int(change.to) else { return false }; parallelTables = v
        case "defaults.memory_budget": guard let v = ByteSize.parse(change.to) else { return false }; memoryBudgetBytes = v
        case "defaults.compression": compression = change.to
        case "target.threads": guard let v = Int(change.to) else { return false }; threads = v
        case "target.memory_limit": guard let v = ByteSize.parse(change.to) else { return false }; memoryLimitBytes = v
        default: return false
        }
        return true
    }

    /// The seed's name for a dbduck strategy: `batch` is the seed's `pandas`.
    public static func seedLevel(for strategy: String) -> String {
        switch strategy {
        case "batch": "pandas"
        case "basic", "parquet", "streaming": strategy
        default: "streaming"
        }
    }
}
