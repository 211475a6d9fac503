import Foundation

/// A table as Unity Catalog describes it (`GET /api/2.1/unity-catalog/tables/{full_name}`), or as
/// `DESCRIBE TABLE` does when Unity Catalog REST is unavailable.
public struct TableInfo: Sendable {
    public var fullName: String
    public var catalog: String
    public var schema: String
    public var name: String
    /// MANAGED, EXTERNAL, VIEW, … (nil from the SQL fallback).
    public var tableType: String?
    /// DELTA, PARQUET, … (nil from the SQL fallback).
    public var dataSourceFormat: String?
    public var columns: [ColumnInfo]
    public var comment: String?
    public var properties: [String: String]
    public var storageLocation: String?
    /// Unity Catalog's `table_id` (nil from the SQL fallback).
    public var tableID: String?
    /// The columns of the table's PRIMARY KEY constraint, in key order (nil: none declared).
    public var primaryKey: [String]?

    public init(fullName: String, catalog: String, schema: String, name: String, tableType: String?,
                dataSourceFormat: String?, columns: [ColumnInfo], comment: String?, properties: [String: String],
                storageLocation: String?, tableID: String? = nil, primaryKey: [String]? = nil) {
        self.fullName = fullName; self.catalog = catalog; self.schema = schema; self.name = name
        self.tableType = tableType; self.dataSourceFormat = dataSourceFormat; self.columns = columns
        self.comment = comment; self.properties = properties; self.storageLocation = storageLocation
        self.tableID = tableID; self.primaryKey = primaryKey
    }
}

/// One column with its Databricks type.
public struct ColumnInfo: Sendable, Equatable {
    public var name: String
    /// e.g. `decimal(10,2)`, `array<int>` (Unity Catalog spells it lower-case).
    public var typeText: String
    /// e.g. `DECIMAL`, `LONG`, `ARRAY`.
    public var typeName: String
    public var position: Int
    public var nullable: Bool
    public var comment: String?
    public var precision: Int?
    public var scale: Int?

    public init(name: String, typeText: String, typeName: String, position: Int, nullable: Bool = true,
                comment: String? = nil, precision: Int? = nil, scale: Int? = nil) {
        self.name = name; self.typeText = typeText; self.typeName = typeName; self.position = position
        self.nullable = nullable; self.comment = comment; self.precision = precision; self.scale = scale
    }
}

/// `DESCRIBE DETAIL` of a Delta table.
public struct TableDetail: Sendable, Equatable {
    public var format: String?
    public var location: String?
    public var sizeInBytes: Int64
    public var numFiles: Int64
    public var partitionColumns: [String]
    public var properties: [String: String]
    /// The Delta table's id: new when the table is re-created, even under the same name.
    public var id: String?

    public init(format: String?, location: String?, sizeInBytes: Int64, numFiles: Int64, partitionColumns: [String],
                properties: [String: String], id: String? = nil) {
        self.format = format; self.location = location; self.sizeInBytes = sizeInBytes; self.numFiles = numFiles
        self.partitionColumns = partitionColumns; self.properties = properties; self.id = id
    }
}

/// Unity Catalog wire shapes.
struct CatalogListWire: Decodable { var catalogs: [NamedWire]?; var next_page_token: String? }
struct SchemaListWire: Decodable { var schemas: [NamedWire]?; var next_page_token: String? }
struct TableListWire: Decodable { var tables: [NamedWire]?; var next_page_token: String? }
struct NamedWire: Decodable { var name: String }
struct TableInfoListWire: Decodable { var tables: [TableInfoWire]?; var next_page_token: String? }

struct TableInfoWire: Decodable {
    var name: String
    var catalog_name: String?
    var schema_name: String?
    var full_name: String?
    var table_type: String?
    var data_source_format: String?
    var columns: [ColumnInfoWire]?
    var comment: String?
    var properties: [String: String]?
    var storage_location: String?
    var table_id: String?
    var table_constraints: [TableConstraintWire]?
}

extension TableInfo {
    /// A table from Unity Catalog's wire shape; the catalog and schema fill in what it leaves out.
    init(_ wire: TableInfoWire, catalog: String, schema: String) {
        let columns = (wire.columns ?? []).enumerated().map { offset, column in
            let parsed = DatabricksTypeName.parse(column.type_text ?? column.type_name ?? "string")
            return ColumnInfo(name: column.name, typeText: column.type_text ?? parsed.name.lowercased(),
                              typeName: column.type_name ?? parsed.name, position: column.position ?? offset,
                              nullable: column.nullable ?? true, comment: column.comment,
                              precision: column.type_precision ?? parsed.precision,
                              scale: column.type_scale ?? parsed.scale)
        }.sorted { $0.position < $1.position }
        self.init(fullName: wire.full_name ?? [catalog, schema, wire.name].joined(separator: "."),
                  catalog: wire.catalog_name ?? catalog, schema: wire.schema_name ?? schema, name: wire.name,
                  tableType: wire.table_type, dataSourceFormat: wire.data_source_format, columns: columns,
                  comment: wire.comment, properties: wire.properties ?? [:], storageLocation: wire.storage_location,
                  tableID: wire.table_id,
                  primaryKey: wire.table_constraints?.lazy.compactMap { $0.primary_key_constraint?.child_columns }.first)
    }
}

/// One entry of `table_constraints`; only primary keys matter here.
struct TableConstraintWire: Decodable {
    struct PrimaryKey: Decodable { var name: String?; var child_columns: [String]? }
    var primary_key_constraint: PrimaryKey?
}

struct ColumnInfoWire: Decodable {
    var name: String
    var type_text: String?
    var type_name: String?
    var position: Int?
    var nullable: Bool?
    var comment: String?
    var type_precision: Int?
    var type_scale: Int?
}

/// Derives the wire `type_name` from a SQL type spelling (`bigint` → LONG, `decimal(10,2)` →
/// DECIMAL with precision 10 and scale 2), for the `DESCRIBE TABLE` fallback.
enum DatabricksTypeName {
    static func parse(_ typeText: String) -> (name: String, precision: Int?, scale: Int?) {
        let trimmed = typeText.trimmingCharacters(in: .whitespaces)
        let base = String(trimmed.prefix { $0.isLetter || $0 == "_" }).uppercased()
        let name: String
        switch base {
        case "BIGINT": name = "LONG"
        case "TINYINT": name = "BYTE"
        case "SMALLINT": name = "SHORT"
        case "INTEGER": name = "INT"
        case "VARCHAR", "CHAR": name = "STRING"
        case "VOID": name = "NULL"
        case "DEC", "NUMERIC": name = "DECIMAL"
        default: name = base
        }
        guard name == "DECIMAL" else { return (name, nil, nil) }
        guard let open = trimmed.firstIndex(of: "("), let close = trimmed.firstIndex(of: ")"), open < close else {
            return (name, 10, 0)
        }
        let numbers = trimmed[trimmed.index(after: open)..<close].split(separator: ",").map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        return (name, numbers.first ?? 10, numbers.count > 1 ? numbers[1] ?? 0 : 0)
    }
}

