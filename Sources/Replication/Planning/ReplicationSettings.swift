import Databricks

/// Everything that shapes how a plan runs, resolved once from dbduck.yml and the command line.
/// The plan carries it; the Databricks client, the replicator and the target database are all
/// built from it, so `replicate`, `analyze` and `bench` run with exactly the same settings.
public struct ReplicationSettings: Sendable, Equatable, Codable {
    /// Bytes downloaded but not yet loaded, at most, per table (`defaults.memory_budget`).
    public var memoryBudgetBytes: Int
    /// External links downloaded at once per table.
    public var downloadParallelism: Int
    /// Tables copied at once, and why that many.
    public var parallelTables: Int
    public var parallelTablesReason: String
    /// Arrow results LZ4-compressed on the wire (`defaults.compression`).
    public var compression: WireCompression
    /// What is checked before a table commits.
    public var verification: Verification
    /// Retries of a failed request or download before the table fails.
    public var maxRetries: Int
    /// How the DuckDB file is opened.
    public var target: TargetSettings
    /// Why the plan set DuckDB's thread count itself; nil when it is configured or DuckDB's default.
    public var threadsReason: String?
    /// Seconds without a downloaded byte before a link is fetched again, then the table fails.
    public var stallTimeoutSeconds: Int = TableDefaults().stallTimeoutSeconds

    public init(memoryBudgetBytes: Int = TableDefaults().memoryBudgetBytes,
                downloadParallelism: Int = TableDefaults().downloadParallelism,
                parallelTables: Int = 1, compression: WireCompression = .lz4,
                verification: Verification = .count, maxRetries: Int = TableDefaults().maxRetries,
                target: TargetSettings = TargetSettings()) {
        self.memoryBudgetBytes = memoryBudgetBytes; self.downloadParallelism = downloadParallelism
        self.parallelTables = parallelTables; self.parallelTablesReason = "configured"; self.compression = compression; self.verification = verification
        self.maxRetries = maxRetries; self.target = target
    }

    /// The settings a config (already merged with the command line) asks for, for `tables` tables.
    public init(_ config: ReplicationConfig, tables: Int = 1) {
        let d = config.defaults
        self.init(memoryBudgetBytes: d.memoryBudgetBytes, downloadParallelism: d.downloadParallelism,
                  parallelTables: d.parallelTables ?? 1, compression: d.compression, verification: d.verify,
                  maxRetries: d.maxRetries, target: config.target)
        stallTimeoutSeconds = d.stallTimeoutSeconds
        if d.parallelTables == nil {
            (parallelTables, parallelTablesReason) = Self.parallelTables(for: tables)
        }
    }

    /// Most tables a user copies at once are small, and a small table's time is round trips to the
    /// warehouse, not bytes: several in flight hide each other's waits. One large table is
    /// bounded by its own download budget, so up to eight at once hold up to eight budgets.
    static func parallelTables(for tables: Int) -> (Int, String) {
        guard tables > 1 else { return (1, "one table") }
        let width = min(8, tables)
        return (width, "\(tables) tables: \(width) at a time hide the warehouse's round trips (set parallel_tables to change it; each table keeps its own memory budget)")
    }

    /// A run whose every table is copied row by row gains nothing from more DuckDB threads: each
    /// single-row INSERT would hand its pipeline to all of them and wake them, for every row.
    /// A configured thread count is kept.
    mutating func chooseThreads(for strategies: [LoadStrategy]) {
        guard target.threads == nil, !strategies.isEmpty, strategies.allSatisfy({ $0 == .basic }) else { return }
        target.threads = 1
        threadsReason = "every table is copied row by row, and more threads would only wake for each row's INSERT; set target.threads to change it"
    }

    /// The client's tuning: the downloads' share of the memory budget (the rest is the loader's:
    /// decoded batches waiting for DuckDB, or the chunk being loaded), parallelism and retries.
    public var clientOptions: ClientOptions {
        var options = ClientOptions()
        options.downloadParallelism = downloadParallelism
        options.memoryBudgetBytes = MemoryBudgetShare.downloads(memoryBudgetBytes)
        options.retry = RetryPolicy(maxAttempts: maxRetries + 1)
        options.stallTimeout = .seconds(stallTimeoutSeconds)
        return options
    }
}

/// Compression of Arrow results on the wire.
public enum WireCompression: String, Sendable, Codable, CaseIterable {
    case lz4, none
}
