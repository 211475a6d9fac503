/// A three-part Unity Catalog name, `catalog.schema.table`.
///
/// Parts may be backtick-quoted (`` `a.b`.s.t ``), in which case they may hold dots; a pattern part
/// may hold `*` and `?`. Unity Catalog stores names lower-case, so matching ignores case.
public struct TableName: Sendable, Hashable, CustomStringConvertible {
    public var catalog: String
    public var schema: String
    public var table: String

    public init(catalog: String, schema: String, table: String) {
        self.catalog = catalog; self.schema = schema; self.table = table
    }

    /// Parses `catalog.schema.table`; nil unless there are exactly three non-empty parts.
    public init?(parsing text: String) {
        var parts: [String] = [], current = "", quoted = false
        var iterator = Array(text).makeIterator()
        var pendingQuote = false
        while let c = iterator.next() {
            if pendingQuote {
                pendingQuote = false
                if c == "`" { current.append("`"); continue }   // `` inside quotes is a literal backtick
                quoted = false
            }
            if quoted {
                if c == "`" { pendingQuote = true } else { current.append(c) }
            } else if c == "`" {
                quoted = true
            } else if c == "." {
                parts.append(current); current = ""
            } else {
                current.append(c)
            }
        }
        if quoted && !pendingQuote { return nil }
        parts.append(current)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.init(catalog: parts[0], schema: parts[1], table: parts[2])
    }

    /// The name for Databricks SQL, every part backtick-quoted.
    public var quoted: String { [catalog, schema, table].map(Self.quoteBackticks).joined(separator: ".") }

    /// `catalog.schema.table`, as Unity Catalog spells it; a part holding a dot or a backtick is
    /// backtick-quoted, so that the text parses back to the same name (plans, saved progress and
    /// run records keep names as text).
    public var description: String {
        [catalog, schema, table].map { $0.contains(".") || $0.contains("`") ? Self.quoteBackticks($0) : $0 }
            .joined(separator: ".")
    }

    public static func quoteBackticks(_ part: String) -> String {
        "`" + part.replacingOccurrences(of: "`", with: "``") + "`"
    }

    /// True when this pattern (parts with `*`/`?`) matches `name`, ignoring case.
    public func matches(_ name: TableName) -> Bool {
        Glob.matches(catalog, name.catalog) && Glob.matches(schema, name.schema) && Glob.matches(table, name.table)
    }

    public var isPattern: Bool { [catalog, schema, table].contains { $0.contains("*") || $0.contains("?") } }
}

/// Shell-style `*` and `?` matching, case-insensitive.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.lowercased()), t = Array(text.lowercased())
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] { pi += 1; ti += 1 }
            else if pi < p.count, p[pi] == "*" { star = pi; mark = ti; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ti = mark }
            else { return false }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}

import Foundation
