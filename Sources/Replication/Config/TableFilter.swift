/// Tables named on the command line together with `--config`: they pick among the tables the
/// config's `tables:` selects, which keep their settings (target, columns, where, mode…). A name
/// that picks none of them is an error, so a typo never silently copies nothing.
public struct TableFilter: Sendable, Equatable {
    /// Names or patterns (`main.sales.*`); empty: every table of the config.
    public var patterns: [TableName]

    public init(_ patterns: [TableName] = []) { self.patterns = patterns }

    public var isEmpty: Bool { patterns.isEmpty }

    /// True when `name` is picked (always, without patterns).
    public func admits(_ name: TableName) -> Bool {
        patterns.isEmpty || patterns.contains { $0.matches(name) }
    }

    /// False only when no table `selection` can match is picked, so its schema need not be listed.
    public func mayAdmit(tablesOf selection: TableName) -> Bool {
        patterns.isEmpty || patterns.contains { Self.overlap($0, selection) }
    }

    /// The patterns that pick none of `names`.
    public func unmatched(by names: [TableName]) -> [TableName] {
        patterns.filter { pattern in !names.contains { pattern.matches($0) } }
    }

    private static func overlap(_ a: TableName, _ b: TableName) -> Bool {
        zip([a.catalog, a.schema, a.table], [b.catalog, b.schema, b.table]).allSatisfy { x, y in
            let bothPatterns = isPattern(x) && isPattern(y)
            return bothPatterns || Glob.matches(x, y) || Glob.matches(y, x)
        }
    }

    private static func isPattern(_ part: String) -> Bool { part.contains("*") || part.contains("?") }
}
