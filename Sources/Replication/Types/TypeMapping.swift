import DuckDB

/// Maps Databricks types to DuckDB types, exactly (README: "Type mapping").
///
/// | Databricks | DuckDB |
/// |---|---|
/// | BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE | same |
/// | DECIMAL(p,s), p ≤ 38 | DECIMAL(p,s) |
/// | STRING / BINARY | VARCHAR / BLOB |
/// | DATE | DATE |
/// | TIMESTAMP (an instant) | TIMESTAMPTZ |
/// | TIMESTAMP_NTZ | TIMESTAMP |
/// | INTERVAL … | INTERVAL |
/// | ARRAY<T> / MAP<K,V> / STRUCT<…> | T[] / MAP(K, V) / STRUCT(…), nested at any depth |
/// | VARIANT | JSON |
/// | VOID | VARCHAR (always NULL) |
public enum TypeMapping {
    /// DuckDB's SQL spelling of the type a Databricks type lands as.
    public static func duckDBType(_ type: DatabricksType) -> String {
        switch type {
        case .boolean: "BOOLEAN"
        case .tinyint: "TINYINT"
        case .smallint: "SMALLINT"
        case .int: "INTEGER"
        case .bigint: "BIGINT"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .decimal(let p, let s): "DECIMAL(\(p),\(s))"
        case .string: "VARCHAR"
        case .binary: "BLOB"
        case .date: "DATE"
        case .timestamp: "TIMESTAMPTZ"
        case .timestampNTZ: "TIMESTAMP"
        case .interval: "INTERVAL"
        case .array(let element): duckDBType(element) + "[]"
        case .map(let k, let v): "MAP(\(duckDBType(k)), \(duckDBType(v)))"
        case .struct(let fields):
            "STRUCT(" + fields.map { "\(quoteIdentifier($0.name)) \(duckDBType($0.type))" }.joined(separator: ", ") + ")"
        case .variant: "JSON"
        case .void: "VARCHAR"
        }
    }
}
