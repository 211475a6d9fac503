/// An Arrow schema as read from a stream's Schema message.
public struct ArrowSchemaDescription: Sendable, Equatable {
    public var fields: [ArrowField]
    /// The schema's custom_metadata, in stream order.
    public var metadata: [ArrowKeyValue]

    public init(fields: [ArrowField], metadata: [ArrowKeyValue] = []) {
        self.fields = fields; self.metadata = metadata
    }
}

public struct ArrowKeyValue: Sendable, Equatable {
    public var key: String
    public var value: String
    public init(key: String, value: String) { self.key = key; self.value = value }
}

/// A column or a nested child: name, type, nullability, children, metadata and, for
/// dictionary-encoded fields, the dictionary encoding (`type` is then the dictionary's value type).
public struct ArrowField: Sendable, Equatable {
    public var name: String
    public var type: ArrowType
    public var nullable: Bool
    public var children: [ArrowField]
    public var metadata: [ArrowKeyValue]
    public var dictionary: ArrowDictionaryEncoding?

    public init(name: String, type: ArrowType, nullable: Bool = true, children: [ArrowField] = [],
                metadata: [ArrowKeyValue] = [], dictionary: ArrowDictionaryEncoding? = nil) {
        self.name = name; self.type = type; self.nullable = nullable; self.children = children
        self.metadata = metadata; self.dictionary = dictionary
    }
}

public struct ArrowDictionaryEncoding: Sendable, Equatable {
    public var id: Int64
    /// The index type: signed or unsigned 8..64-bit integers (int32 when the stream leaves it out).
    public var indexBitWidth: Int
    public var indexSigned: Bool
    public var isOrdered: Bool
}

/// Arrow logical types (Schema.fbs `union Type`), with their parameters.
public enum ArrowType: Sendable, Equatable, CustomStringConvertible {
    public enum TimeUnit: Int16, Sendable { case second = 0, millisecond, microsecond, nanosecond }
    public enum IntervalUnit: Int16, Sendable { case yearMonth = 0, dayTime, monthDayNano }
    public enum Precision: Int16, Sendable { case half = 0, single, double }
    public enum UnionMode: Int16, Sendable { case sparse = 0, dense }

    case null
    case bool
    case int(bitWidth: Int, signed: Bool)
    case floatingPoint(Precision)
    case decimal(precision: Int, scale: Int, bitWidth: Int)
    case utf8, largeUtf8, utf8View
    case binary, largeBinary, binaryView
    case fixedSizeBinary(byteWidth: Int)
    /// `days == true`: date32 (days), else date64 (milliseconds).
    case date(days: Bool)
    case time(TimeUnit, bitWidth: Int)
    case timestamp(TimeUnit, timezone: String?)
    case duration(TimeUnit)
    case interval(IntervalUnit)
    case list, largeList, listView, largeListView
    case fixedSizeList(listSize: Int)
    case `struct`
    case map(keysSorted: Bool)
    case union(mode: UnionMode, typeIDs: [Int32])

    public var description: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case let .int(bits, signed): "\(signed ? "" : "u")int\(bits)"
        case let .floatingPoint(p): p == .half ? "float16" : p == .single ? "float32" : "float64"
        case let .decimal(p, s, bits): "decimal\(bits)(\(p), \(s))"
        case .utf8: "utf8"
        case .largeUtf8: "large_utf8"
        case .utf8View: "utf8_view"
        case .binary: "binary"
        case .largeBinary: "large_binary"
        case .binaryView: "binary_view"
        case let .fixedSizeBinary(width): "fixed_size_binary[\(width)]"
        case let .date(days): days ? "date32" : "date64"
        case let .time(unit, bits): "time\(bits)[\(unit)]"
        case let .timestamp(unit, zone): "timestamp[\(unit)\(zone.map { ", tz=\($0)" } ?? "")]"
        case let .duration(unit): "duration[\(unit)]"
        case let .interval(unit): "interval[\(unit)]"
        case .list: "list"
        case .largeList: "large_list"
        case .listView: "list_view"
        case .largeListView: "large_list_view"
        case let .fixedSizeList(size): "fixed_size_list[\(size)]"
        case .struct: "struct"
        case .map: "map"
        case let .union(mode, _): "\(mode)_union"
        }
    }
}
