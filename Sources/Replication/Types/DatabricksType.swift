/// A Databricks SQL type, parsed from a manifest's or Unity Catalog's `type_text`.
///
/// Both spellings are accepted: the manifest's upper-case `STRUCT<street: STRING, zip: INT>` and
/// Unity Catalog's lower-case `struct<street:string,zip:int>`, with backtick-quoted field names,
/// `NOT NULL` and `COMMENT '...'` on fields.
public indirect enum DatabricksType: Sendable, Hashable, CustomStringConvertible {
    case boolean, tinyint, smallint, int, bigint, float, double
    case decimal(precision: Int, scale: Int)
    case string, binary, date
    case timestamp          // an instant (TIMESTAMP / TIMESTAMP_LTZ)
    case timestampNTZ       // wall-clock time, no zone
    case interval(String)   // the qualifier, e.g. "DAY TO SECOND"
    case array(DatabricksType)
    case map(key: DatabricksType, value: DatabricksType)
    case `struct`([Field])
    case variant
    case void

    public struct Field: Sendable, Hashable {
        public var name: String
        public var type: DatabricksType
        public var nullable: Bool
        public var comment: String?
    }

    /// True for the types that JSON_ARRAY (and some Arrow results) deliver as JSON text.
    public var isNested: Bool {
        switch self {
        case .array, .map, .struct: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .tinyint: "TINYINT"
        case .smallint: "SMALLINT"
        case .int: "INT"
        case .bigint: "BIGINT"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .decimal(let p, let s): "DECIMAL(\(p),\(s))"
        case .string: "STRING"
        case .binary: "BINARY"
        case .date: "DATE"
        case .timestamp: "TIMESTAMP"
        case .timestampNTZ: "TIMESTAMP_NTZ"
        case .interval(let q): "INTERVAL \(q)"
        case .array(let e): "ARRAY<\(e)>"
        case .map(let k, let v): "MAP<\(k), \(v)>"
        case .struct(let fields):
            "STRUCT<" + fields.map { "\(TableName.quoteBackticks($0.name)): \($0.type)\($0.nullable ? "" : " NOT NULL")" }
                .joined(separator: ", ") + ">"
        case .variant: "VARIANT"
        case .void: "VOID"
        }
    }
}

/// A type text that could not be parsed or has no DuckDB equivalent.
public struct TypeMappingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var typeText: String
    public var reason: String
    public var description: String { "cannot map the Databricks type '\(typeText)': \(reason)" }
}

extension DatabricksType {
    /// Parses a `type_text`.
    public init(parsing text: String) throws(TypeMappingError) {
        var parser = TypeTextParser(text: text)
        let type = try parser.parseType()
        parser.skipSpaces()
        guard parser.atEnd else { throw parser.failure("unexpected text at position \(parser.position)") }
        self = type
    }
}

/// A small recursive-descent parser over `type_text`.
struct TypeTextParser {
    let text: String
    private let chars: [Character]
    private(set) var position = 0

    init(text: String) { self.text = text; chars = Array(text) }

    var atEnd: Bool { position >= chars.count }

    func failure(_ reason: String) -> TypeMappingError { TypeMappingError(typeText: text, reason: reason) }

    mutating func skipSpaces() { while position < chars.count, chars[position].isWhitespace { position += 1 } }

    mutating func word() -> String {
        skipSpaces()
        let start = position
        while position < chars.count, chars[position].isLetter || chars[position].isNumber || chars[position] == "_" { position += 1 }
        return String(chars[start..<position])
    }

    mutating func expect(_ c: Character) throws(TypeMappingError) {
        skipSpaces()
        guard position < chars.count, chars[position] == c else { throw failure("expected '\(c)' at position \(position)") }
        position += 1
    }

    mutating func peek(_ c: Character) -> Bool {
        skipSpaces()
        return position < chars.count && chars[position] == c
    }

    mutating func integer() throws(TypeMappingError) -> Int {
        let w = word()
        guard let n = Int(w) else { throw failure("expected a number at position \(position)") }
        return n
    }

    mutating func parseType() throws(TypeMappingError) -> DatabricksType {
        let name = word().uppercased()
        switch name {
        case "BOOLEAN", "BOOL": return .boolean
        case "TINYINT", "BYTE": return .tinyint
        case "SMALLINT", "SHORT": return .smallint
        case "INT", "INTEGER": return .int
        case "BIGINT", "LONG": return .bigint
        case "FLOAT", "REAL": return .float
        case "DOUBLE": return .double
        case "DECIMAL", "DEC", "NUMERIC":
            guard peek("(") else { return .decimal(precision: 10, scale: 0) }
            try expect("(")
            let p = try integer()
            var s = 0
            if peek(",") { try expect(","); s = try integer() }
            try expect(")")
            guard (1...38).contains(p), (0...p).contains(s) else { throw failure("DECIMAL(\(p),\(s)) is outside precision 1..38, scale 0..precision") }
            return .decimal(precision: p, scale: s)
        case "STRING", "VARCHAR", "CHAR":
            if peek("(") { try expect("("); _ = try integer(); try expect(")") }
            return .string
        case "BINARY": return .binary
        case "DATE": return .date
        case "TIMESTAMP", "TIMESTAMP_LTZ": return .timestamp
        case "TIMESTAMP_NTZ": return .timestampNTZ
        case "VARIANT": return .variant
        case "VOID", "NULL": return .void
        case "INTERVAL":
            var words: [String] = []
            while true {
                let save = position
                let w = word().uppercased()
                guard ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND", "TO"].contains(w) else { position = save; break }
                words.append(w)
            }
            guard !words.isEmpty else { throw failure("INTERVAL without a qualifier (e.g. INTERVAL DAY TO SECOND)") }
            return .interval(words.joined(separator: " "))
        case "ARRAY":
            try expect("<")
            let element = try parseType()
            try expect(">")
            return .array(element)
        case "MAP":
            try expect("<")
            let key = try parseType()
            try expect(",")
            let value = try parseType()
            try expect(">")
            return .map(key: key, value: value)
        case "STRUCT":
            try expect("<")
            var fields: [DatabricksType.Field] = []
            if peek(">") { try expect(">"); return .struct(fields) }
            repeat {
                if !fields.isEmpty { try expect(",") }
                let fieldName = try fieldName()
                skipSpaces()
                if peek(":") { try expect(":") }
                let type = try parseType()
                var nullable = true, comment: String?
                while true {
                    let save = position
                    let w = word().uppercased()
                    if w == "NOT" {
                        guard word().uppercased() == "NULL" else { throw failure("expected NULL after NOT") }
                        nullable = false
                    } else if w == "COMMENT" {
                        comment = try quotedString()
                    } else { position = save; break }
                }
                fields.append(.init(name: fieldName, type: type, nullable: nullable, comment: comment))
            } while peek(",")
            try expect(">")
            return .struct(fields)
        case "":
            throw failure("expected a type name at position \(position)")
        default:
            throw failure("\(name) has no DuckDB equivalent that keeps its values exact (supported: BOOLEAN, integers, FLOAT, DOUBLE, DECIMAL, STRING, BINARY, DATE, TIMESTAMP, TIMESTAMP_NTZ, INTERVAL, ARRAY, MAP, STRUCT, VARIANT)")
        }
    }

    mutating func fieldName() throws(TypeMappingError) -> String {
        skipSpaces()
        guard position < chars.count else { throw failure("expected a field name") }
        if chars[position] == "`" {
            position += 1
            var name = ""
            while position < chars.count {
                if chars[position] == "`" {
                    if position + 1 < chars.count, chars[position + 1] == "`" { name.append("`"); position += 2; continue }
                    position += 1
                    return name
                }
                name.append(chars[position]); position += 1
            }
            throw failure("unterminated `quoted` field name")
        }
        let start = position
        while position < chars.count, chars[position] != ":", !chars[position].isWhitespace { position += 1 }
        guard position > start else { throw failure("expected a field name at position \(position)") }
        return String(chars[start..<position])
    }

    mutating func quotedString() throws(TypeMappingError) -> String {
        skipSpaces()
        guard position < chars.count, chars[position] == "'" || chars[position] == "\"" else { throw failure("expected a quoted comment") }
        let quote = chars[position]; position += 1
        var s = ""
        while position < chars.count {
            let c = chars[position]; position += 1
            if c == "\\", position < chars.count { s.append(chars[position]); position += 1; continue }
            if c == quote { return s }
            s.append(c)
        }
        throw failure("unterminated comment string")
    }
}
