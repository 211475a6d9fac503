import Databricks

/// Everything a replication needs to know, from `dbduck.yml` and/or the command line.
///
/// ```yaml
/// source:   { profile: DEFAULT, warehouse_id: abc123 }
/// target:   { path: analytics.duckdb, memory_limit: 4GB, threads: 2 }
/// defaults: { strategy: auto, chunk_size: 100000, parallel_tables: 2, download_parallelism: 4, retries: { max: 5 } }
/// tables:
///   - samples.tpch.orders
///   - { name: main.sales.*, exclude: [main.sales.tmp_*] }
/// ```
public struct ReplicationConfig: Sendable {
    public var source = SourceSettings()
    public var target = TargetSettings()
    public var defaults = TableDefaults()
    public var tables: [TableSelection] = []
    /// Tables named on the command line with `--config`: the run copies only these of `tables`.
    public var only = TableFilter()

    public init(source: SourceSettings = SourceSettings(), target: TargetSettings = TargetSettings(),
                defaults: TableDefaults = TableDefaults(), tables: [TableSelection] = []) {
        self.source = source; self.target = target; self.defaults = defaults; self.tables = tables
    }
}

/// Where the tables come from: the unified-auth fields the Databricks client resolves (flags and
/// the `source:` block; anything left nil comes from DATABRICKS_* or ~/.databrickscfg).
public typealias SourceSettings = WorkspaceSettings

extension WorkspaceSettings {
    /// Values set here win over `other`'s (flags over the config file).
    public func overriding(_ other: WorkspaceSettings) -> WorkspaceSettings {
        WorkspaceSettings(host: host ?? other.host, token: token ?? other.token, clientID: clientID ?? other.clientID,
                          clientSecret: clientSecret ?? other.clientSecret, profile: profile ?? other.profile,
                          warehouseID: warehouseID ?? other.warehouseID, authType: authType ?? other.authType,
                          configFile: configFile ?? other.configFile, caFile: caFile ?? other.caFile, origin: origin)
    }
}

/// The DuckDB file the tables land in.
public struct TargetSettings: Sendable, Equatable, Codable {
    /// DuckDB's `memory_limit` when none is configured. A replicator only writes: DuckDB's default
    /// (80% of RAM) would keep every block it wrote cached, so peak memory would grow with the
    /// table. 85MB rather than 100MB leaves room for the frame buffer pool, keeping a large copy over
    /// HTTPS under dbduck's peak-memory target at no cost in time (README, "Memory", has the numbers).
    public static let defaultMemoryLimit = "85MB"

    public var path: String?
    public var memoryLimit: String?
    public var threads: Int?
    /// Keep the warehouse's row order exactly (DuckDB `preserve_insertion_order`). Off by default:
    /// DuckDB then inserts on all threads without reordering batches, which under a small memory
    /// limit is much faster (README, "Row order", has the numbers); rows still land in
    /// batch-sized runs in roughly their source order, so zone maps stay useful.
    public var preserveOrder: Bool?
    /// The DuckDB storage format a new file is written in (`storage_version: v1.4.0`); an existing
    /// file keeps its own. Nil means ``defaultStorageVersion``.
    public var storageVersion: String?
    /// Drop and replace a table of the target that dbduck did not create (`replace_unmanaged: true`,
    /// `--replace-unmanaged`). Off unless asked: a name clash must not cost someone else's data.
    public var replaceUnmanaged: Bool?

    public var replacesUnmanaged: Bool { replaceUnmanaged ?? false }

    /// DuckDB 2.0 writes a newer format by default that DuckDB 1.4 and 1.5 cannot open; v1.4.0 is
    /// the newest format all three read, so a file dbduck writes opens in any current DuckDB.
    public static let defaultStorageVersion = "v1.4.0"

    public init(path: String? = nil, memoryLimit: String? = nil, threads: Int? = nil, preserveOrder: Bool? = nil,
                storageVersion: String? = nil, replaceUnmanaged: Bool? = nil) {
        self.path = path; self.memoryLimit = memoryLimit; self.threads = threads; self.preserveOrder = preserveOrder
        self.storageVersion = storageVersion; self.replaceUnmanaged = replaceUnmanaged
    }
}

/// How rows are checked after a load.
public enum Verification: String, Sendable, Codable, CaseIterable {
    case count       // the loaded row count equals the warehouse's at the pinned version (always done)
    case checksum    // plus an order-independent hash per column on both sides
    case none
}

/// Settings that apply to every table unless the table overrides them.
public struct TableDefaults: Sendable, Equatable {
    public var strategy: StrategyChoice = .auto
    public var chunkSize: Int = 100_000
    /// Tables copied at once; nil lets the planner choose from the number of tables.
    public var parallelTables: Int?
    /// Connections inserting a `basic` table's rows at once (`row_inserters`); nil lets the planner
    /// choose from the cores.
    public var rowInserters: Int?
    /// 8, the Databricks client's default (see `ClientOptions.downloadParallelism` for why).
    public var downloadParallelism: Int = 8
    public var maxRetries: Int = 5
    /// A download with no byte for this long is fetched again once, then fails its table
    /// (`stall_timeout`, seconds).
    public var stallTimeoutSeconds: Int = 120
    /// Bytes downloaded but not yet loaded, at most (the streaming memory bound). Enough for a few
    /// decompressed chunks of a typical Databricks result; a larger budget bought no speed in
    /// `dbduck analyze`, which re-checks it on your data.
    public var memoryBudgetBytes: Int = 64_000_000
    public var verify: Verification = .count
    /// How tables follow their source. `full` unless configured: an incremental mode is a choice
    /// about the data (keys, cursors, deletes) that dbduck should not make silently.
    public var mode: SyncMode = .full
    public var deletes: DeletePolicy = .hard
    /// Copy every table in full this run, whatever its mode (`--full-refresh`).
    public var fullRefresh = false
    /// Fail a table whose incremental window cannot be served instead of copying it in full.
    public var allowFallback = true
    /// Arrow results on the wire (`compression: lz4 | none`).
    public var compression: WireCompression = .lz4
    /// How often a full copy saves its progress so an interrupted copy can resume (`checkpoint_every`).
    public var checkpointEvery: CheckpointInterval = .standard
    /// Discard every table's saved progress and copy from the first row (`--restart`).
    public var restart = false

    public init() {}
}

/// One entry of `tables:`: a name or a pattern over a schema, with per-table overrides.
public struct TableSelection: Sendable, Equatable {
    /// `catalog.schema.table`, or a pattern with `*` / `?` in any part (e.g. `main.sales.*`).
    public var name: String
    public var exclude: [String] = []
    /// Target name in DuckDB: `table` or `schema.table`. Only for a single table.
    public var target: String?
    /// Projection (source column names); nil = all columns.
    public var columns: [String]?
    /// A filter the warehouse runs (`WHERE` clause text, Databricks SQL).
    public var filter: String?
    public var strategy: StrategyChoice?
    public var chunkSize: Int?
    public var mode: SyncMode?
    /// Key columns for `merge` and `cdf` (default: the table's PRIMARY KEY in Unity Catalog).
    public var primaryKey: [String]?
    /// A column that grows with every change, for `append` and `merge` without the change feed.
    public var cursor: String?
    public var deletes: DeletePolicy?
    public var checkpointEvery: CheckpointInterval?
    /// Line in the config file, for error messages.
    public var line: Int?

    public init(name: String, exclude: [String] = [], target: String? = nil, columns: [String]? = nil,
                filter: String? = nil, strategy: StrategyChoice? = nil, chunkSize: Int? = nil, line: Int? = nil) {
        self.name = name; self.exclude = exclude; self.target = target; self.columns = columns
        self.filter = filter; self.strategy = strategy; self.chunkSize = chunkSize; self.line = line
    }

    public var isPattern: Bool { name.contains("*") || name.contains("?") }
}
