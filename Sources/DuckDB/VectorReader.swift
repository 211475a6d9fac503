internal import CDuckDB

/// Reads one cell of a DuckDB vector into a ``Value``, following the vector layouts of duckdb.h.
enum VectorReader {
    static func read(_ vector: duckdb_vector?, type: LogicalType, row: Int) throws(DatabaseError) -> Value {
        guard let vector else { throw DatabaseError(kind: .internal, message: "missing vector") }
        if let validity = duckdb_vector_get_validity(vector), !duckdb_validity_row_is_valid(validity, idx_t(row)) {
            return .null
        }
        let data = duckdb_vector_get_data(vector)
        func load<T>(_: T.Type) -> T {
            // Safe: DuckDB sized the vector's data for its type and `row` < the chunk size.
            data!.assumingMemoryBound(to: T.self)[row]
        }
        switch type {
        case .boolean: return .boolean(load(Bool.self))
        case .tinyint: return .tinyint(load(Int8.self))
        case .smallint: return .smallint(load(Int16.self))
        case .integer: return .integer(load(Int32.self))
        case .bigint: return .bigint(load(Int64.self))
        case .hugeint: return .hugeint(int128(load(duckdb_hugeint.self)))
        case .utinyint: return .utinyint(load(UInt8.self))
        case .usmallint: return .usmallint(load(UInt16.self))
        case .uinteger: return .uinteger(load(UInt32.self))
        case .ubigint: return .ubigint(load(UInt64.self))
        case .uhugeint:
            let h = load(duckdb_uhugeint.self)
            return .uhugeint(UInt128(h.upper) << 64 | UInt128(h.lower))
        case .float: return .float(load(Float.self))
        case .double: return .double(load(Double.self))
        case .decimal(let width, let scale):
            let unscaled: Int128 = switch width {
            case ...4: Int128(load(Int16.self))
            case ...9: Int128(load(Int32.self))
            case ...18: Int128(load(Int64.self))
            default: int128(load(duckdb_hugeint.self))
            }
            return .decimal(DecimalValue(unscaled: unscaled, width: width, scale: scale))
        case .varchar, .json:
            return .varchar(String(decoding: bytes(of: load(duckdb_string_t.self)), as: UTF8.self))
        case .blob: return .blob(bytes(of: load(duckdb_string_t.self)))
        case .date: return .date(days: load(Int32.self))
        case .time: return .time(micros: load(Int64.self))
        case .timestamp: return .timestamp(micros: load(Int64.self))
        case .timestampTZ: return .timestampTZ(micros: load(Int64.self))
        case .timestampS: return .timestamp(micros: load(Int64.self) * 1_000_000)
        case .timestampMS: return .timestamp(micros: load(Int64.self) * 1_000)
        case .timestampNS: return .timestampNS(nanos: load(Int64.self))
        case .interval:
            let i = load(duckdb_interval.self)
            return .interval(IntervalValue(months: i.months, days: i.days, micros: i.micros))
        case .uuid:
            // DuckDB stores UUIDs as a hugeint with the top bit flipped, so they sort as unsigned.
            let h = load(duckdb_hugeint.self)
            return .uuid(UInt128(UInt64(bitPattern: h.upper) ^ (1 << 63)) << 64 | UInt128(h.lower))
        case .list(let child):
            let entry = load(duckdb_list_entry.self)
            let childVector = duckdb_list_vector_get_child(vector)
            var items: [Value] = []
            items.reserveCapacity(Int(entry.length))
            for i in 0..<Int(entry.length) {
                items.append(try read(childVector, type: child, row: Int(entry.offset) + i))
            }
            return .list(items)
        case .array(let child, let size):
            let childVector = duckdb_array_vector_get_child(vector)
            var items: [Value] = []
            for i in 0..<size { items.append(try read(childVector, type: child, row: row * size + i)) }
            return .array(items)
        case .structure(let members):
            var fields: [StructField] = []
            for (index, member) in members.enumerated() {
                fields.append(StructField(member.name, try read(duckdb_struct_vector_get_child(vector, idx_t(index)), type: member.type, row: row)))
            }
            return .structure(fields)
        case .map(let keyType, let valueType):
            // A MAP is a LIST of STRUCT(key, value).
            let entry = load(duckdb_list_entry.self)
            let pairs = duckdb_list_vector_get_child(vector)
            let keys = duckdb_struct_vector_get_child(pairs, 0)
            let values = duckdb_struct_vector_get_child(pairs, 1)
            var entries: [MapEntry] = []
            for i in 0..<Int(entry.length) {
                let at = Int(entry.offset) + i
                entries.append(MapEntry(key: try read(keys, type: keyType, row: at), value: try read(values, type: valueType, row: at)))
            }
            return .map(entries)
        case .other(_, let name):
            throw DatabaseError(kind: .notImplemented, message: "reading values of type \(name) is not supported; CAST the column to VARCHAR in the query")
        }
    }

    static func int128(_ h: duckdb_hugeint) -> Int128 {
        Int128(h.upper) << 64 | Int128(h.lower)
    }

    static func bytes(of string: duckdb_string_t) -> [UInt8] {
        var s = string
        return withUnsafeMutablePointer(to: &s) { p -> [UInt8] in
            let length = Int(duckdb_string_t_length(p.pointee))
            // For inlined strings the data pointer points into `p`, valid inside this closure only.
            guard length > 0, let data = duckdb_string_t_data(p) else { return [] }
            return data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        }
    }
}
