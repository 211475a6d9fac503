internal import CDuckDB
import Foundation

/// A DuckDB column type, described in Swift (nested types included).
public indirect enum LogicalType: Sendable, Hashable, CustomStringConvertible {
    case boolean, tinyint, smallint, integer, bigint, hugeint
    case utinyint, usmallint, uinteger, ubigint, uhugeint
    case float, double
    case decimal(width: UInt8, scale: UInt8)
    case varchar, blob, json
    case date, time, timestamp, timestampTZ, timestampS, timestampMS, timestampNS
    case interval, uuid
    case list(LogicalType)
    case array(LogicalType, size: Int)
    case structure([Member])
    case map(key: LogicalType, value: LogicalType)
    /// A type this wrapper reads only as text (e.g. ENUM, UNION, BIT), by DuckDB's type id.
    case other(id: Int32, name: String)

    public struct Member: Sendable, Hashable {
        public var name: String
        public var type: LogicalType
        public init(_ name: String, _ type: LogicalType) { self.name = name; self.type = type }
    }

    /// The type in DuckDB SQL, with struct member names quoted.
    public var description: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .tinyint: "TINYINT"
        case .smallint: "SMALLINT"
        case .integer: "INTEGER"
        case .bigint: "BIGINT"
        case .hugeint: "HUGEINT"
        case .utinyint: "UTINYINT"
        case .usmallint: "USMALLINT"
        case .uinteger: "UINTEGER"
        case .ubigint: "UBIGINT"
        case .uhugeint: "UHUGEINT"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .decimal(let w, let s): "DECIMAL(\(w),\(s))"
        case .varchar: "VARCHAR"
        case .blob: "BLOB"
        case .json: "JSON"
        case .date: "DATE"
        case .time: "TIME"
        case .timestamp: "TIMESTAMP"
        case .timestampTZ: "TIMESTAMP WITH TIME ZONE"
        case .timestampS: "TIMESTAMP_S"
        case .timestampMS: "TIMESTAMP_MS"
        case .timestampNS: "TIMESTAMP_NS"
        case .interval: "INTERVAL"
        case .uuid: "UUID"
        case .list(let child): "\(child)[]"
        case .array(let child, let size): "\(child)[\(size)]"
        case .structure(let members):
            "STRUCT(" + members.map { "\(quoteIdentifier($0.name)) \($0.type)" }.joined(separator: ", ") + ")"
        case .map(let key, let value): "MAP(\(key), \(value))"
        case .other(_, let name): name
        }
    }
}

/// Quotes a DuckDB identifier: double quotes, inner quotes doubled. Safe for any name.
public func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// Quotes a DuckDB string literal: single quotes, inner quotes doubled.
public func quoteLiteral(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
}

extension LogicalType {
    /// Describes a C logical type (the caller keeps ownership of `raw`).
    init(raw: duckdb_logical_type) {
        let id = duckdb_get_type_id(raw)
        if let alias = duckdb_logical_type_get_alias(raw) {
            defer { duckdb_free(alias) }
            if String(cString: alias).uppercased() == "JSON" { self = .json; return }
        }
        switch id {
        case DUCKDB_TYPE_BOOLEAN: self = .boolean
        case DUCKDB_TYPE_TINYINT: self = .tinyint
        case DUCKDB_TYPE_SMALLINT: self = .smallint
        case DUCKDB_TYPE_INTEGER: self = .integer
        case DUCKDB_TYPE_BIGINT: self = .bigint
        case DUCKDB_TYPE_HUGEINT: self = .hugeint
        case DUCKDB_TYPE_UTINYINT: self = .utinyint
        case DUCKDB_TYPE_USMALLINT: self = .usmallint
        case DUCKDB_TYPE_UINTEGER: self = .uinteger
        case DUCKDB_TYPE_UBIGINT: self = .ubigint
        case DUCKDB_TYPE_UHUGEINT: self = .uhugeint
        case DUCKDB_TYPE_FLOAT: self = .float
        case DUCKDB_TYPE_DOUBLE: self = .double
        case DUCKDB_TYPE_DECIMAL: self = .decimal(width: duckdb_decimal_width(raw), scale: duckdb_decimal_scale(raw))
        case DUCKDB_TYPE_VARCHAR: self = .varchar
        case DUCKDB_TYPE_BLOB: self = .blob
        case DUCKDB_TYPE_DATE: self = .date
        case DUCKDB_TYPE_TIME: self = .time
        case DUCKDB_TYPE_TIMESTAMP: self = .timestamp
        case DUCKDB_TYPE_TIMESTAMP_TZ: self = .timestampTZ
        case DUCKDB_TYPE_TIMESTAMP_S: self = .timestampS
        case DUCKDB_TYPE_TIMESTAMP_MS: self = .timestampMS
        case DUCKDB_TYPE_TIMESTAMP_NS: self = .timestampNS
        case DUCKDB_TYPE_INTERVAL: self = .interval
        case DUCKDB_TYPE_UUID: self = .uuid
        case DUCKDB_TYPE_LIST:
            var child: duckdb_logical_type? = duckdb_list_type_child_type(raw)
            defer { duckdb_destroy_logical_type(&child) }
            self = child.map { .list(LogicalType(raw: $0)) } ?? .other(id: Int32(id.rawValue), name: "LIST")
        case DUCKDB_TYPE_ARRAY:
            var child: duckdb_logical_type? = duckdb_array_type_child_type(raw)
            defer { duckdb_destroy_logical_type(&child) }
            let size = Int(duckdb_array_type_array_size(raw))
            self = child.map { .array(LogicalType(raw: $0), size: size) } ?? .other(id: Int32(id.rawValue), name: "ARRAY")
        case DUCKDB_TYPE_MAP:
            var key: duckdb_logical_type? = duckdb_map_type_key_type(raw)
            var value: duckdb_logical_type? = duckdb_map_type_value_type(raw)
            defer { duckdb_destroy_logical_type(&key); duckdb_destroy_logical_type(&value) }
            if let key, let value { self = .map(key: LogicalType(raw: key), value: LogicalType(raw: value)) }
            else { self = .other(id: Int32(id.rawValue), name: "MAP") }
        case DUCKDB_TYPE_STRUCT:
            var members: [Member] = []
            for index in 0..<duckdb_struct_type_child_count(raw) {
                let namePointer = duckdb_struct_type_child_name(raw, index)
                let name = namePointer.map { String(cString: $0) } ?? ""
                duckdb_free(namePointer)
                var child: duckdb_logical_type? = duckdb_struct_type_child_type(raw, index)
                defer { duckdb_destroy_logical_type(&child) }
                if let child { members.append(Member(name, LogicalType(raw: child))) }
            }
            self = .structure(members)
        case DUCKDB_TYPE_UNION:
            // A UNION's SQL form, so a table can be created from it (e.g. from an Arrow sparse union).
            var members: [String] = []
            for index in 0..<duckdb_union_type_member_count(raw) {
                let namePointer = duckdb_union_type_member_name(raw, index)
                let name = namePointer.map { String(cString: $0) } ?? ""
                duckdb_free(namePointer)
                var member: duckdb_logical_type? = duckdb_union_type_member_type(raw, index)
                defer { duckdb_destroy_logical_type(&member) }
                if let member { members.append("\(quoteIdentifier(name)) \(LogicalType(raw: member))") }
            }
            self = .other(id: Int32(id.rawValue), name: "UNION(" + members.joined(separator: ", ") + ")")
        case DUCKDB_TYPE_TIME_NS: self = .other(id: Int32(id.rawValue), name: "TIME_NS")
        case DUCKDB_TYPE_TIMESTAMP_TZ_NS: self = .other(id: Int32(id.rawValue), name: "TIMESTAMPTZ_NS")
        case DUCKDB_TYPE_TIME_TZ: self = .other(id: Int32(id.rawValue), name: "TIME WITH TIME ZONE")
        case DUCKDB_TYPE_SQLNULL: self = .other(id: Int32(id.rawValue), name: "\"NULL\"")
        case DUCKDB_TYPE_BIT: self = .other(id: Int32(id.rawValue), name: "BIT")
        case DUCKDB_TYPE_BIGNUM: self = .other(id: Int32(id.rawValue), name: "BIGNUM")
        default:
            self = .other(id: Int32(id.rawValue), name: "type#\(id.rawValue)")
        }
    }

    /// A new C logical type; the caller destroys it with `duckdb_destroy_logical_type`.
    func makeRaw() throws(DatabaseError) -> duckdb_logical_type {
        func simple(_ id: DUCKDB_TYPE) -> duckdb_logical_type? { duckdb_create_logical_type(id) }
        let made: duckdb_logical_type?
        switch self {
        case .boolean: made = simple(DUCKDB_TYPE_BOOLEAN)
        case .tinyint: made = simple(DUCKDB_TYPE_TINYINT)
        case .smallint: made = simple(DUCKDB_TYPE_SMALLINT)
        case .integer: made = simple(DUCKDB_TYPE_INTEGER)
        case .bigint: made = simple(DUCKDB_TYPE_BIGINT)
        case .hugeint: made = simple(DUCKDB_TYPE_HUGEINT)
        case .utinyint: made = simple(DUCKDB_TYPE_UTINYINT)
        case .usmallint: made = simple(DUCKDB_TYPE_USMALLINT)
        case .uinteger: made = simple(DUCKDB_TYPE_UINTEGER)
        case .ubigint: made = simple(DUCKDB_TYPE_UBIGINT)
        case .uhugeint: made = simple(DUCKDB_TYPE_UHUGEINT)
        case .float: made = simple(DUCKDB_TYPE_FLOAT)
        case .double: made = simple(DUCKDB_TYPE_DOUBLE)
        case .decimal(let w, let s): made = duckdb_create_decimal_type(w, s)
        case .varchar, .json: made = simple(DUCKDB_TYPE_VARCHAR)
        case .blob: made = simple(DUCKDB_TYPE_BLOB)
        case .date: made = simple(DUCKDB_TYPE_DATE)
        case .time: made = simple(DUCKDB_TYPE_TIME)
        case .timestamp: made = simple(DUCKDB_TYPE_TIMESTAMP)
        case .timestampTZ: made = simple(DUCKDB_TYPE_TIMESTAMP_TZ)
        case .timestampS: made = simple(DUCKDB_TYPE_TIMESTAMP_S)
        case .timestampMS: made = simple(DUCKDB_TYPE_TIMESTAMP_MS)
        case .timestampNS: made = simple(DUCKDB_TYPE_TIMESTAMP_NS)
        case .interval: made = simple(DUCKDB_TYPE_INTERVAL)
        case .uuid: made = simple(DUCKDB_TYPE_UUID)
        case .list(let child):
            var c: duckdb_logical_type? = try child.makeRaw()
            defer { duckdb_destroy_logical_type(&c) }
            made = duckdb_create_list_type(c)
        case .array(let child, let size):
            var c: duckdb_logical_type? = try child.makeRaw()
            defer { duckdb_destroy_logical_type(&c) }
            made = duckdb_create_array_type(c, idx_t(size))
        case .map(let key, let value):
            var k: duckdb_logical_type? = try key.makeRaw()
            var v: duckdb_logical_type? = try value.makeRaw()
            defer { duckdb_destroy_logical_type(&k); duckdb_destroy_logical_type(&v) }
            made = duckdb_create_map_type(k, v)
        case .structure(let members):
            var types: [duckdb_logical_type?] = []
            defer { for i in types.indices { duckdb_destroy_logical_type(&types[i]) } }
            for member in members { types.append(try member.type.makeRaw()) }
            let names = members.map { strdup($0.name) }
            defer { names.forEach { free($0) } }
            made = types.withUnsafeMutableBufferPointer { typeBuffer in
                names.map { UnsafePointer($0) }.withUnsafeBufferPointer { nameBuffer in
                    var namePointers = Array(nameBuffer)
                    return duckdb_create_struct_type(typeBuffer.baseAddress, &namePointers, idx_t(members.count))
                }
            }
        case .other(_, let name):
            throw DatabaseError(kind: .notImplemented, message: "cannot create a column of type \(name) from Swift")
        }
        guard let made else { throw DatabaseError(kind: .invalidInput, message: "DuckDB rejected the type \(self)") }
        return made
    }
}
