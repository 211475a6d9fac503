/// What the planner needs to know about the warehouse's tables.
///
/// `DatabricksClient` provides it (see `DatabricksClient+WarehouseCatalog.swift`); tests may use a fake.
public protocol WarehouseCatalog: Sendable {
    func catalogs() async throws -> [String]
    func schemas(in catalog: String) async throws -> [String]
    func tables(in catalog: String, schema: String) async throws -> [String]
    func describe(_ table: TableName) async throws -> SourceTable
    /// The current Delta version (`DESCRIBE HISTORY t LIMIT 1`).
    func currentVersion(of table: TableName) async throws -> Int64?
    /// `sizeInBytes` and `numFiles` of `DESCRIBE DETAIL`.
    func detail(of table: TableName) async throws -> (sizeBytes: Int64?, numFiles: Int64?)
    /// Runs a query that returns one number (e.g. `SELECT COUNT(*) ...`).
    func scalarInteger(_ sql: String) async throws -> Int64
}

/// A table's metadata as the warehouse reports it.
public struct SourceTable: Sendable, Equatable {
    public var columns: [SourceColumn]
    public var comment: String?

    public init(columns: [SourceColumn], comment: String? = nil) { self.columns = columns; self.comment = comment }
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
