import Foundation

extension DatabricksClient {
    /// Catalog names, through Unity Catalog REST (all pages), else `SHOW CATALOGS`.
    public func listCatalogs() async throws -> [String] {
        try await withSQLFallback {
            try await self.paginate("/api/2.1/unity-catalog/catalogs", query: [], as: CatalogListWire.self) {
                ($0.catalogs ?? [], $0.next_page_token)
            }.map(\.name)
        } fallback: {
            try await self.queryRows("SHOW CATALOGS").rows.compactMap { $0.first ?? nil }
        }
    }

    /// Schema names of a catalog (UC REST, else `SHOW SCHEMAS IN`).
    public func listSchemas(catalog: String) async throws -> [String] {
        try await withSQLFallback {
            try await self.paginate("/api/2.1/unity-catalog/schemas", query: [("catalog_name", catalog)],
                                    as: SchemaListWire.self) { ($0.schemas ?? [], $0.next_page_token) }.map(\.name)
        } fallback: {
            try await self.queryRows("SHOW SCHEMAS IN \(SQLIdentifier.quote(catalog))").rows.compactMap { $0.first ?? nil }
        }
    }

    /// Table names of a schema (UC REST, else `SHOW TABLES IN`).
    public func listTables(catalog: String, schema: String) async throws -> [String] {
        try await withSQLFallback {
            try await self.paginate("/api/2.1/unity-catalog/tables",
                                    query: [("catalog_name", catalog), ("schema_name", schema), ("omit_columns", "true"),
                                            ("omit_properties", "true")],
                                    as: TableListWire.self) { ($0.tables ?? [], $0.next_page_token) }.map(\.name)
        } fallback: {
            let (columns, rows) = try await self.queryRows(
                "SHOW TABLES IN \(SQLIdentifier.quote(catalog)).\(SQLIdentifier.quote(schema))")
            let column = columns.firstIndex { $0.name == "tableName" } ?? min(1, max(columns.count - 1, 0))
            return rows.compactMap { column < $0.count ? $0[column] : nil }
        }
    }

    /// Every table of a schema with its columns and properties, from one Unity Catalog listing
    /// (all pages), so a schema of many tables costs one call instead of one per table.
    /// Listings carry no `table_constraints`: a primary key needs ``table(_:)``.
    /// Returns nil when the workspace has no Unity Catalog REST endpoint.
    public func listTableInfos(catalog: String, schema: String) async throws -> [TableInfo]? {
        try await withSQLFallback {
            try await self.paginate("/api/2.1/unity-catalog/tables", query: [("catalog_name", catalog), ("schema_name", schema)],
                                    as: TableInfoListWire.self) { ($0.tables ?? [], $0.next_page_token) }
                .map { TableInfo($0, catalog: catalog, schema: schema) }
        } fallback: { nil }
    }

    /// A table's columns (with Databricks types), comment and properties.
    /// - Throws: ``SQLIdentifierError`` for a malformed name, else API/statement errors.
    public func table(_ fullName: String) async throws -> TableInfo {
        let parts = try SQLIdentifier.split(fullName)
        guard parts.count == 3 else { throw SQLIdentifierError(name: fullName) }
        let encoded = parts.joined(separator: ".").addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
            ?? fullName
        return try await withSQLFallback {
            let wire: TableInfoWire = try await self.api.call(.GET, "/api/2.1/unity-catalog/tables/\(encoded)",
                                                              table: fullName)
            return TableInfo(wire, catalog: parts[0], schema: parts[1])
        } fallback: {
            let quoted = parts.map(SQLIdentifier.quote).joined(separator: ".")
            let (_, rows) = try await self.queryRows("DESCRIBE TABLE \(quoted)", table: fullName)
            var columns: [ColumnInfo] = []
            for row in rows {
                guard let name = row.first ?? nil, !name.isEmpty, !name.hasPrefix("#") else { break }
                let typeText = row.count > 1 ? row[1] ?? "string" : "string"
                let parsed = DatabricksTypeName.parse(typeText)
                columns.append(ColumnInfo(name: name, typeText: typeText, typeName: parsed.name, position: columns.count,
                                          nullable: true, comment: row.count > 2 ? row[2] : nil,
                                          precision: parsed.precision, scale: parsed.scale))
            }
            return TableInfo(fullName: fullName, catalog: parts[0], schema: parts[1], name: parts[2], tableType: nil,
                             dataSourceFormat: nil, columns: columns, comment: nil, properties: [:], storageLocation: nil)
        }
    }

    /// `DESCRIBE DETAIL`: size in bytes, number of files, partitioning.
    public func describeDetail(_ fullName: String) async throws -> TableDetail {
        let quoted = try SQLIdentifier.quoteQualified(fullName)
        let (columns, rows) = try await queryRows("DESCRIBE DETAIL \(quoted)", table: fullName)
        guard let row = rows.first else {
            throw ResultError.unsupported("DESCRIBE DETAIL \(fullName) returned no row")
        }
        func value(_ name: String) -> String? {
            guard let index = columns.firstIndex(where: { $0.name == name }), index < row.count else { return nil }
            return row[index]
        }
        let partitions = value("partitionColumns").flatMap { text in
            (try? JSONDecoder().decode([String].self, from: Data(text.utf8)))
        } ?? []
        let properties = value("properties").flatMap { text in
            (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)))
        } ?? [:]
        return TableDetail(format: value("format"), location: value("location"),
                           sizeInBytes: value("sizeInBytes").flatMap { Int64($0) } ?? 0,
                           numFiles: value("numFiles").flatMap { Int64($0) } ?? 0,
                           partitionColumns: partitions, properties: properties, id: value("id"))
    }

    /// The current Delta version: `DESCRIBE HISTORY t LIMIT 1`.
    public func currentVersion(_ fullName: String) async throws -> Int64 {
        let quoted = try SQLIdentifier.quoteQualified(fullName)
        let (columns, rows) = try await queryRows("DESCRIBE HISTORY \(quoted) LIMIT 1", table: fullName)
        let index = columns.firstIndex { $0.name == "version" } ?? 0
        guard let row = rows.first, index < row.count, let text = row[index], let version = Int64(text) else {
            throw ResultError.unsupported("DESCRIBE HISTORY \(fullName) returned no version")
        }
        return version
    }

    /// `SELECT COUNT(*)`, at a Delta version when given.
    public func rowCount(_ fullName: String, version: Int64?) async throws -> Int64 {
        let quoted = try SQLIdentifier.quoteQualified(fullName)
        // The version is our own Int64, so it is safe as a literal (VERSION AS OF takes no parameter).
        let at = version.map { " VERSION AS OF \($0)" } ?? ""
        let (_, rows) = try await queryRows("SELECT COUNT(*) FROM \(quoted)\(at)", table: fullName)
        guard let text = rows.first?.first ?? nil, let count = Int64(text) else {
            throw ResultError.unsupported("COUNT(*) of \(fullName) returned no number")
        }
        return count
    }

    // MARK: Helpers

    /// Follows `next_page_token` until it is absent or empty; empty pages in between are normal.
    func paginate<Page: Decodable, Item>(_ path: String, query: [(String, String)], as type: Page.Type,
                                         _ items: (Page) -> ([Item], String?)) async throws -> [Item] {
        var names: [Item] = []
        var token: String?
        var pages = 0
        repeat {
            var parameters = query + [("max_results", "\(options.unityCatalogPageSize)")]
            if let token { parameters.append(("page_token", token)) }
            let page: Page = try await api.call(.GET, path, query: parameters)
            let (found, next) = items(page)
            names.append(contentsOf: found)
            token = next.flatMap { $0.isEmpty ? nil : $0 }
            pages += 1
            if pages > 100_000 { throw ResultError.unsupported("\(path) kept returning page tokens") }
        } while token != nil
        return names
    }

    /// Uses Unity Catalog REST, falling back to SQL when the workspace has no UC endpoint there
    /// (404 without a "does not exist" code, 405, 501, FEATURE_DISABLED).
    func withSQLFallback<T>(_ rest: () async throws -> T, fallback: () async throws -> T) async throws -> T {
        do {
            return try await rest()
        } catch let error as DatabricksAPIError where Self.shouldFallBack(error) {
            logger.debug("unity catalog REST unavailable, using SQL", metadata: ["http.status": "\(error.status)",
                                                                                 "error.code": "\(error.errorCode ?? "")"])
            return try await fallback()
        }
    }

    static func shouldFallBack(_ error: DatabricksAPIError) -> Bool {
        let code = error.errorCode ?? ""
        if code.contains("DOES_NOT_EXIST") { return false }
        switch error.status {
        case 404, 405, 501: return true
        case 400: return code == "FEATURE_DISABLED"
        default: return false
        }
    }
}
