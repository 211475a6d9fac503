/// The copied columns' names and source types, compared run to run: a column added upstream is
/// added to the copy; one dropped, renamed or retyped means the copy must be rebuilt in full.
public enum SchemaFingerprint {
    public struct Column: Sendable, Codable, Equatable {
        public var name: String
        public var type: String
        public init(name: String, type: String) { self.name = name; self.type = type }
    }

    /// How the source's columns moved since the copy was made.
    public enum Change: Sendable, Equatable {
        case none
        /// Only new columns, at the end or anywhere: the copy gains them.
        case added([String])
        /// A column the copy has is gone or has another type.
        case incompatible(String)
    }

    public static func columns(_ planned: [PlannedColumn]) -> [Column] {
        planned.map { Column(name: $0.name, type: $0.sourceType.lowercased()) }
    }

    public static func compare(copy: [Column], source: [Column]) -> Change {
        let byName = Dictionary(source.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        for column in copy {
            guard let now = byName[column.name.lowercased()] else {
                return .incompatible("column \(column.name) was dropped or renamed upstream")
            }
            if now.type != column.type {
                return .incompatible("column \(column.name) changed type from \(column.type) to \(now.type)")
            }
        }
        let known = Set(copy.map { $0.name.lowercased() })
        let added = source.filter { !known.contains($0.name.lowercased()) }.map(\.name)
        return added.isEmpty ? .none : .added(added)
    }
}
