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
    /// Connections inserting a `basic` table's rows at once; nil until configured or chosen (a run
    /// without a `basic` table has no use for it).
    public var rowInserters: Int?
    /// Why the plan chose ``rowInserters``; nil when it is configured or unused.
    public var rowInsertersReason: String?
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
        rowInserters = d.rowInserters
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

    /// A `basic` table spends its time in DuckDB executing one single-row INSERT after another, on
    /// one core per connection; more connections inserting at once use the other cores. Cores are
    /// shared by the `basic` tables copied at once. One connection when insertion order is kept:
    /// rows inserted by several arrive grouped by connection.
    mutating func chooseRowInserters(for strategies: [LoadStrategy], cores: Int) {
        let basic = strategies.filter { $0 == .basic }.count
        guard rowInserters == nil, basic > 0 else { return }
        if target.preserveOrder == true {
            rowInserters = 1
            rowInsertersReason = "target.preserve_order keeps the rows in order, which one connection does"
            return
        }
        let together = max(1, min(parallelTables, basic))
        rowInserters = max(1, min(Self.mostRowInserters, cores / together))
        rowInsertersReason = "\(cores) core\(cores == 1 ? "" : "s") for \(together) `basic` table\(together == 1 ? "" : "s") at a time, "
            + "each connection executing its rows' INSERTs on a core of its own; set row_inserters to change it"
    }

    /// A cap, so that a machine of many cores does not open dozens of connections for one table.
    static let mostRowInserters = 4

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
