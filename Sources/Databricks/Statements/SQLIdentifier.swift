/// Identifier helpers for building Databricks SQL text safely (values always go through
/// parameters). There is deliberately no free `quoteIdentifier` function: DuckDB's module has one
/// (double quotes), and modules importing both would find the name ambiguous.
public enum SQLIdentifier {
    /// Quotes one identifier: wrapped in backticks, embedded backticks doubled.
    ///
    /// ```swift
    /// SQLIdentifier.quote("order`s")   // "`order``s`"
    /// ```
    public static func quote(_ name: String) -> String {
        "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
    }

    /// Splits `catalog.schema.table` on dots outside backticks, unquoting quoted parts.
    ///
    /// - Throws: ``SQLIdentifierError`` for an empty part or an unclosed backtick.
    public static func split(_ qualified: String) throws(SQLIdentifierError) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var wasQuoted = false
        var iterator = Array(qualified).makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "`" {
                    if let next = iterator.next() {
                        if next == "`" { current.append("`") } else { quoted = false; pending = next }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "`" {
                quoted = true; wasQuoted = true
            } else if character == "." {
                guard !current.isEmpty || wasQuoted else { throw SQLIdentifierError(name: qualified) }
                parts.append(current); current = ""; wasQuoted = false
            } else {
                current.append(character)
            }
        }
        guard !quoted, !current.isEmpty || wasQuoted else { throw SQLIdentifierError(name: qualified) }
        parts.append(current)
        return parts
    }

    /// `a.b.c` → `` `a`.`b`.`c` ``.
    public static func quoteQualified(_ qualified: String) throws(SQLIdentifierError) -> String {
        try split(qualified).map(quote).joined(separator: ".")
    }
}

public struct SQLIdentifierError: Error, Sendable, CustomStringConvertible {
    public var name: String
    public var description: String {
        "'\(name)' is not a valid table name: write catalog.schema.table, with `backticks` around parts that contain dots."
    }
}
