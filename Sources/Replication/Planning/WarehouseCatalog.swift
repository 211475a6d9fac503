/// What the planner needs to know about the warehouse's tables.
///
/// `DatabricksClient` provides it (see `DatabricksClient+WarehouseCatalog.swift`); tests may use a fake.
public protocol WarehouseCatalog: Sendable {
    func catalogs() async throws -> [String]
    func schemas(in catalog: String) async throws -> [String]
    func tables(in catalog: String, schema: String) async throws -> [String]
    func describe(_ table: TableName) async throws -> SourceTable
    /// Every table of a schema described by one listing, by table name; nil when the catalog
    /// cannot list descriptions (the planner then describes each table).
    func describeAll(in catalog: String, schema: String) async throws -> [String: SourceTable]?
    /// The current Delta version (`DESCRIBE HISTORY t LIMIT 1`).
    func currentVersion(of table: TableName) async throws -> Int64?
    /// `DESCRIBE DETAIL`: size, files, the Delta table id and properties.
    func detail(of table: TableName) async throws -> SourceDetail
    /// Runs a query that returns one number (e.g. `SELECT COUNT(*) ...`).
    func scalarInteger(_ sql: String) async throws -> Int64
}

extension WarehouseCatalog {
    public func describeAll(in catalog: String, schema: String) async throws -> [String: SourceTable]? { nil }
}

/// A table's metadata as the warehouse reports it.
public struct SourceTable: Sendable, Equatable {
    public var columns: [SourceColumn]
    public var comment: String?
    /// The PRIMARY KEY constraint's columns, when one is declared.
    public var primaryKey: [String]?
    /// Unity Catalog's table properties (e.g. `delta.enableChangeDataFeed`).
    public var properties: [String: String]
    /// False when the description came from a listing, which leaves constraints out: a nil
    /// ``primaryKey`` then means "not asked", not "none declared".
    public var primaryKeyKnown: Bool
    /// A Delta table, or a view (which has no Delta version to pin).
    public var kind: SourceKind

    public init(columns: [SourceColumn], comment: String? = nil, primaryKey: [String]? = nil, properties: [String: String] = [:],
                primaryKeyKnown: Bool = true, kind: SourceKind = .table) {
        self.columns = columns; self.comment = comment; self.primaryKey = primaryKey; self.properties = properties
        self.primaryKeyKnown = primaryKeyKnown; self.kind = kind
    }
}

/// What a source relation is, as Unity Catalog's `table_type` says.
public enum SourceKind: String, Sendable, Codable, Equatable {
    case table
    case view
    case materializedView = "materialized view"

    /// `VIEW` and `MATERIALIZED_VIEW` are views; anything else (MANAGED, EXTERNAL, a missing type
    /// from the SQL fallback) is read as a table.
    public init(tableType: String?) {
        switch tableType?.uppercased() {
        case "VIEW": self = .view
        case "MATERIALIZED_VIEW": self = .materializedView
        default: self = .table
        }
    }

    /// A view has no Delta history: no version to pin, no change data feed, no time travel.
    public var isView: Bool { self != .table }
}

/// What `DESCRIBE DETAIL` says about a Delta table.
public struct SourceDetail: Sendable, Equatable {
    public var sizeBytes: Int64?
    public var numFiles: Int64?
    /// The Delta table id: a new one means the table was re-created.
    public var tableID: String?
    public var properties: [String: String]

    public init(sizeBytes: Int64? = nil, numFiles: Int64? = nil, tableID: String? = nil, properties: [String: String] = [:]) {
        self.sizeBytes = sizeBytes; self.numFiles = numFiles; self.tableID = tableID; self.properties = properties
    }

    /// The change data feed is on (`delta.enableChangeDataFeed = true`).
    public var changeDataFeed: Bool { properties["delta.enableChangeDataFeed"]?.lowercased() == "true" }
}

public struct SourceColumn: Sendable, Equatable {
    public var name: String
    public var typeText: String
    public var nullable: Bool
    public var comment: String?

    public init(name: String, typeText: String, nullable: Bool = true, comment: String? = nil) {
        self.name = name; self.typeText = typeText; self.nullable = nullable; self.comment = comment
    }
}
