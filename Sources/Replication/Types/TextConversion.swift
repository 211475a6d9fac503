import DuckDB

/// SQL that turns a Databricks JSON_ARRAY text value into the exact DuckDB value.
///
/// JSON_ARRAY results carry every non-null value as a string (docs/databricks-api.md). DuckDB's casts from
/// VARCHAR are exact for numbers, decimals, dates and ISO timestamps with an offset; nested values
/// and VARIANT arrive as JSON text and go through DuckDB's JSON type, so a STRUCT lands as a STRUCT,
/// never as JSON text. BINARY arrives base64-encoded.
public enum TextConversion {
    /// A prepared-statement parameter that takes the text as VARCHAR. A bare `?` inside a CAST takes
    /// the cast's type, so binding text to it would differ from the planned type and make DuckDB
    /// re-plan the statement on every execute; typed VARCHAR, the plan is reused and the cast runs in it.
    public static let textParameter = "CAST(? AS VARCHAR)"

    /// The expression converting `input` (a VARCHAR expression: a `?` or a column) to `type`.
    public static func expression(_ input: String, as type: DatabricksType) -> String {
        let target = TypeMapping.duckDBType(type)
        switch type {
        case .string, .void:
            return input
        case .binary:
            return "from_base64(\(input))"
        case .array, .map, .struct:
            return "CAST(CAST(\(input) AS JSON) AS \(target))"
        case .variant:
            return "CAST(\(input) AS JSON)"
        case .float, .double:
            // Databricks spells the specials like Java: NaN, Infinity, -Infinity; DuckDB reads them too.
            return "CAST(\(input) AS \(target))"
        default:
            return "CAST(\(input) AS \(target))"
        }
    }
}
