/// How a table's rows travel from the warehouse into DuckDB.
///
/// Each strategy is a separate path through the same pipeline (see `TableLoader`):
/// - `basic`: JSON_ARRAY results, one prepared INSERT per row inside one transaction;
/// - `batch`: JSON_ARRAY results in chunks of `chunk_size` rows through DuckDB's appender (data chunks);
/// - `parquet`: Arrow chunks written by DuckDB to staged Parquet files, then one `read_parquet` load;
/// - `streaming`: Arrow chunks from external links ingested zero-copy as they arrive.
public enum LoadStrategy: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case basic, batch, parquet, streaming

    public var description: String { rawValue }
}

/// A strategy as configured: one of the four, or `auto` (chosen per table by the planner).
public enum StrategyChoice: Sendable, Equatable, Codable, CustomStringConvertible {
    case auto
    case fixed(LoadStrategy)

    /// Parses a configured name. The seed's level names are understood: `pandas` is `batch`.
    public init?(name: String) {
        switch name.lowercased() {
        case "auto": self = .auto
        case "pandas": self = .fixed(.batch)
        default:
            guard let strategy = LoadStrategy(rawValue: name.lowercased()) else { return nil }
            self = .fixed(strategy)
        }
    }

    public static let validNames = "auto, basic, batch, parquet, streaming (or the seed's pandas = batch)"

    public var description: String {
        switch self {
        case .auto: "auto"
        case .fixed(let strategy): strategy.rawValue
        }
    }

    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let choice = StrategyChoice(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown strategy \(name)"))
        }
        self = choice
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
