import Databricks

/// The warehouse as the planner sees it, through the Databricks client.
extension DatabricksClient: WarehouseCatalog {
    public func catalogs() async throws -> [String] { try await listCatalogs() }

    public func schemas(in catalog: String) async throws -> [String] { try await listSchemas(catalog: catalog) }

    public func tables(in catalog: String, schema: String) async throws -> [String] {
        try await listTables(catalog: catalog, schema: schema)
    }

    public func describe(_ name: TableName) async throws -> SourceTable {
        SourceTable(try await table(name.description), primaryKeyKnown: true)
    }

    public func describeAll(in catalog: String, schema: String) async throws -> [String: SourceTable]? {
        guard let infos = try await listTableInfos(catalog: catalog, schema: schema) else { return nil }
        return Dictionary(infos.map { ($0.name, SourceTable($0, primaryKeyKnown: false)) }) { first, _ in first }
    }

    public func currentVersion(of name: TableName) async throws -> Int64? {
        try await currentVersion(name.description)
    }

    public func detail(of name: TableName) async throws -> SourceDetail {
        let detail = try await describeDetail(name.description)
        return SourceDetail(sizeBytes: detail.sizeInBytes, numFiles: detail.numFiles, tableID: detail.id,
                            properties: detail.properties)
    }

    public func scalarInteger(_ sql: String) async throws -> Int64 {
        let result = try await execute(StatementRequest(sql))
        for try await chunk in chunks(of: result) {
            if case .json(let rows) = chunk.payload, let text = rows.first?.first ?? nil, let value = Int64(text) {
                return value
            }
        }
        throw PlanError("the warehouse returned no number for: \(sql)")
    }
}

extension SourceTable {
    init(_ info: TableInfo, primaryKeyKnown: Bool) {
        let columns = info.columns.sorted { $0.position < $1.position }.map {
            SourceColumn(name: $0.name, typeText: $0.typeText, nullable: $0.nullable, comment: $0.comment)
        }
        self.init(columns: columns, comment: info.comment, primaryKey: info.primaryKey, properties: info.properties,
                  primaryKeyKnown: primaryKeyKnown, kind: SourceKind(tableType: info.tableType))
    }
}
