/// One column as it will land: its source type, its DuckDB type, nullability and comment.
public struct PlannedColumn: Sendable, Equatable, Codable {
    public var name: String
    public var sourceType: String      // Databricks type_text
    public var targetType: String      // DuckDB SQL type
    public var nullable: Bool
    public var comment: String?

    public var databricksType: DatabricksType? { try? DatabricksType(parsing: sourceType) }
}

/// What the replicator will do with one table, decided before any row moves.
public struct PlannedTable: Sendable, Equatable, Codable {
    /// `catalog.schema.table` in the warehouse.
    public var source: String
    public var sourceName: TableName { TableName(parsing: source) ?? TableName(catalog: "", schema: "", table: source) }
    public var targetSchema: String
    public var targetTable: String
    public var columns: [PlannedColumn]
    public var filter: String?
    public var strategy: LoadStrategy
    public var strategyReason: String
    public var chunkSize: Int
    /// Connections inserting this table's rows at once: `basic` only, each executing the one-row
    /// INSERT for its share of every chunk (``ReplicationSettings/rowInserters``).
    public var rowInserters: Int = 1
    /// The Delta version every read is pinned to; nil for a view, which has none.
    public var version: Int64?
    /// A Delta table or a view.
    public var sourceKind: SourceKind = .table
    /// How the reads are pinned, for `--json` readers: ``pinText``, set by the planner.
    public var pin: String?
    /// `v12`, or `not pinned` (a view: each read sees the view as it is then), as the plan, the
    /// summary and `_dbduck.runs` show it.
    public var pinText: String { Self.pinText(version) }
    public static func pinText(_ version: Int64?) -> String { version.map { "v\($0)" } ?? "not pinned" }
    /// The warehouse's row count at the version (with the filter); nil when the plan did not ask
    /// (a copy learns it from its result's manifest, the same number).
    public var rowCount: Int64?
    public var sizeBytes: Int64?
    public var numFiles: Int64?
    public var comment: String?
    public var estimatedSeconds: Double?
    /// At most this many rows (a sample, e.g. for `dbduck analyze`); nil = all.
    public var limit: Int64?
    /// How the copy follows the source: a full replace, or only what changed.
    public var sync: SyncPlan = .full
    /// The SELECT to run instead of the pinned full read (an incremental window); nil = ``selectSQL``'s own.
    public var query: String?
    /// How often a full copy saves its progress (`checkpoint_every`); `.off`: one transaction.
    public var checkpointEvery: CheckpointInterval = .off
    /// Whether this run continues a saved copy, or discards one.
    public var resume = ResumePlan()
    /// The target file holds a sync state for this table (written by an earlier run in a sync mode),
    /// which a full copy in mode `full` removes.
    public var targetHasSyncState = false

    /// A full copy of this table saves progress as it goes (a sample never does: it is scratch).
    /// A view never does: without a version to pin, a continued read could mix two states of it.
    public var isResumable: Bool { checkpointEvery.isOn && limit == nil && query == nil && !sourceKind.isView }

    public var target: String { "\(targetSchema).\(targetTable)" }

    /// The SELECT the warehouse runs, pinned to the version, projected and filtered.
    public var selectSQL: String {
        if let query { return query }
        let projection = columns.map { TableName.quoteBackticks($0.name) }.joined(separator: ", ")
        var sql = "SELECT \(projection) FROM \(sourceName.quoted)"
        if let version { sql += " VERSION AS OF \(version)" }
        if let filter { sql += " WHERE \(filter)" }
        if let limit { sql += " LIMIT \(limit)" }
        return sql
    }

    /// Restricts the table to a sample of at most `rows` rows.
    public mutating func sample(_ rows: Int64) {
        limit = rows
        rowCount = rowCount.map { min($0, rows) }
    }

    /// The COUNT(*) at the same version and filter.
    public var countSQL: String {
        var sql = "SELECT COUNT(*) FROM \(sourceName.quoted)"
        if let version { sql += " VERSION AS OF \(version)" }
        if let filter { sql += " WHERE \(filter)" }
        return sql
    }
}

/// The whole plan: every table, in order.
public struct ReplicationPlan: Sendable, Equatable, Codable {
    public var targetPath: String
    public var tables: [PlannedTable]
    /// How every table is moved: memory, parallelism, compression, verification, retries, target.
    public var settings: ReplicationSettings

    /// Selected tables the warehouse could not serve: each fails alone, the others are copied.
    public var unavailable: [UnavailableTable] = []

    public init(targetPath: String, tables: [PlannedTable], settings: ReplicationSettings) {
        self.targetPath = targetPath; self.tables = tables; self.settings = settings
    }
}
