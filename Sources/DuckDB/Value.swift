/// A DuckDB value, typed as DuckDB stores it. `.null` is SQL NULL, distinct from any type mismatch.
public enum Value: Sendable, Hashable {
    case null
    case boolean(Bool)
    case tinyint(Int8)
    case smallint(Int16)
    case integer(Int32)
    case bigint(Int64)
    case hugeint(Int128)
    case utinyint(UInt8)
    case usmallint(UInt16)
    case uinteger(UInt32)
    case ubigint(UInt64)
    case uhugeint(UInt128)
    case float(Float)
    case double(Double)
    case decimal(DecimalValue)
    case varchar(String)
    case blob([UInt8])
    /// Days since 1970-01-01.
    case date(days: Int32)
    /// Microseconds since midnight.
    case time(micros: Int64)
    /// TIMESTAMP (no time zone): microseconds since 1970-01-01 00:00:00.
    case timestamp(micros: Int64)
    /// TIMESTAMPTZ: an instant, microseconds since 1970-01-01 00:00:00 UTC.
    case timestampTZ(micros: Int64)
    /// TIMESTAMP_NS: nanoseconds since 1970-01-01.
    case timestampNS(nanos: Int64)
    case interval(IntervalValue)
    case uuid(UInt128)
    case list([Value])
    /// A fixed-size ARRAY.
    case array([Value])
    case structure([StructField])
    case map([MapEntry])

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The value as an Int128 when it is any integer type.
    public var integerValue: Int128? {
        switch self {
        case .tinyint(let v): Int128(v)
        case .smallint(let v): Int128(v)
        case .integer(let v): Int128(v)
        case .bigint(let v): Int128(v)
        case .hugeint(let v): v
        case .utinyint(let v): Int128(v)
        case .usmallint(let v): Int128(v)
        case .uinteger(let v): Int128(v)
        case .ubigint(let v): Int128(v)
        case .uhugeint(let v): v <= UInt128(Int128.max) ? Int128(v) : nil
        default: nil
        }
    }

    /// The value as a Double when it is numeric.
    public var doubleValue: Double? {
        switch self {
        case .float(let v): Double(v)
        case .double(let v): v
        case .decimal(let d): d.doubleValue
        default: integerValue.map { Double($0) }
        }
    }

    /// The text of a VARCHAR (or JSON) value.
    public var stringValue: String? { if case .varchar(let s) = self { s } else { nil } }
}

/// A STRUCT member: its name and value.
public struct StructField: Sendable, Hashable {
    public var name: String
    public var value: Value
    public init(_ name: String, _ value: Value) { self.name = name; self.value = value }
}

/// A MAP entry.
public struct MapEntry: Sendable, Hashable {
    public var key: Value
    public var value: Value
    public init(key: Value, value: Value) { self.key = key; self.value = value }
}

/// An INTERVAL: months, days and microseconds, kept apart as DuckDB does.
public struct IntervalValue: Sendable, Hashable {
    public var months: Int32
    public var days: Int32
    public var micros: Int64
    public init(months: Int32 = 0, days: Int32 = 0, micros: Int64 = 0) {
        self.months = months; self.days = days; self.micros = micros
    }
}

/// An exact DECIMAL(width, scale): `unscaled / 10^scale`, up to 38 digits.
public struct DecimalValue: Sendable, Hashable, CustomStringConvertible {
    public var unscaled: Int128
    public var width: UInt8
    public var scale: UInt8

    public init(unscaled: Int128, width: UInt8, scale: UInt8) {
        self.unscaled = unscaled; self.width = width; self.scale = scale
    }

    /// Parses "-123.4500" exactly at the given width and scale. Returns nil for text that is not a
    /// decimal number or needs more than `width` digits or more than `scale` fractional digits.
    public init?(_ text: String, width: UInt8, scale: UInt8) {
        var digits = Substring(text.trimmingCharactersInSpace())
        var negative = false
        if digits.first == "-" { negative = true; digits = digits.dropFirst() } else if digits.first == "+" { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let integerPart = parts.first, parts.count <= 2 else { return nil }
        var fraction = parts.count == 2 ? parts[1] : ""
        guard !(integerPart.isEmpty && fraction.isEmpty),
              integerPart.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit) else { return nil }
        while fraction.count > Int(scale), fraction.last == "0" { fraction = fraction.dropLast() }
        guard fraction.count <= Int(scale) else { return nil }
        let padded = integerPart + fraction + String(repeating: "0", count: Int(scale) - fraction.count)
        let significant = padded.drop { $0 == "0" }
        guard significant.count <= Int(width) else { return nil }
        var value: Int128 = 0
        for c in significant { value = value * 10 + Int128(c.asciiValue! - 48) }  // ! safe: checked isASCIIDigit
        self.init(unscaled: negative ? -value : value, width: width, scale: scale)
    }

    public var description: String {
        let magnitude = unscaled.magnitude
        var text = String(magnitude)
        let scale = Int(scale)
        if scale > 0 {
            if text.count <= scale { text = String(repeating: "0", count: scale - text.count + 1) + text }
            text.insert(".", at: text.index(text.endIndex, offsetBy: -scale))
        }
        return unscaled < 0 ? "-" + text : text
    }

    public var doubleValue: Double { Double(description) ?? .nan }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    func trimmingCharactersInSpace() -> Substring {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return s
    }
}
