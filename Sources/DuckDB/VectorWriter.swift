internal import CDuckDB

/// Writes a ``Value`` into one cell of a DuckDB vector, following the vector layouts of duckdb.h.
enum VectorWriter {
    static func write(_ value: Value, into vector: duckdb_vector?, type: LogicalType, row: Int) throws(DatabaseError) {
        guard let vector else { throw DatabaseError(kind: .internal, message: "missing vector") }
        if case .null = value {
            duckdb_vector_ensure_validity_writable(vector)
            duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), idx_t(row))
            // Keep the layout consistent under a NULL: empty list entries, NULL struct members.
            switch type {
            case .list, .map:
                duckdb_vector_get_data(vector)?.assumingMemoryBound(to: duckdb_list_entry.self)[row] =
                    duckdb_list_entry(offset: duckdb_list_vector_get_size(vector), length: 0)
            case .structure(let members):
                for (index, member) in members.enumerated() {
                    try write(.null, into: duckdb_struct_vector_get_child(vector, idx_t(index)), type: member.type, row: row)
                }
            case .array(let childType, let size):
                let child = duckdb_array_vector_get_child(vector)
                for i in 0..<size { try write(.null, into: child, type: childType, row: row * size + i) }
            default: break
            }
            return
        }
        if let validity = duckdb_vector_get_validity(vector) { duckdb_validity_set_row_valid(validity, idx_t(row)) }
        if case .structure(let members) = type {     // struct vectors have children, no data of their own
            guard case .structure(let fields) = value, fields.count == members.count else {
                throw DatabaseError(kind: .mismatchType, message: "cannot store a \(value.kindName) value in a \(type) column")
            }
            for (index, member) in members.enumerated() {
                try write(fields[index].value, into: duckdb_struct_vector_get_child(vector, idx_t(index)), type: member.type, row: row)
            }
            return
        }
        guard let data = duckdb_vector_get_data(vector) else {
            throw DatabaseError(kind: .internal, message: "vector without data")
        }
        func store<T>(_ v: T) { data.assumingMemoryBound(to: T.self)[row] = v }   // row < capacity: checked by DataChunk
        func mismatch() -> DatabaseError {
            DatabaseError(kind: .mismatchType, message: "cannot store a \(value.kindName) value in a \(type) column")
        }
        func integer<T: FixedWidthInteger>(_: T.Type) throws(DatabaseError) -> T {
            guard let wide = value.integerValue else { throw mismatch() }
            guard let narrow = T(exactly: wide) else {
                throw DatabaseError(kind: .outOfRange, message: "\(wide) does not fit in a \(type) column")
            }
            return narrow
        }
        switch type {
        case .boolean:
            guard case .boolean(let b) = value else { throw mismatch() }
            store(b)
        case .tinyint: store(try integer(Int8.self))
        case .smallint: store(try integer(Int16.self))
        case .integer: store(try integer(Int32.self))
        case .bigint: store(try integer(Int64.self))
        case .hugeint: store(hugeint(try integer(Int128.self)))
        case .utinyint: store(try integer(UInt8.self))
        case .usmallint: store(try integer(UInt16.self))
        case .uinteger: store(try integer(UInt32.self))
        case .ubigint: store(try integer(UInt64.self))
        case .uhugeint:
            if case .uhugeint(let u) = value { store(duckdb_uhugeint(lower: UInt64(truncatingIfNeeded: u), upper: UInt64(u >> 64))) }
            else { let u = UInt128(try integer(Int128.self)); store(duckdb_uhugeint(lower: UInt64(truncatingIfNeeded: u), upper: UInt64(u >> 64))) }
        case .float:
            guard let d = value.doubleValue else { throw mismatch() }
            if case .float(let f) = value { store(f) } else { store(Float(d)) }
        case .double:
            guard let d = value.doubleValue else { throw mismatch() }
            store(d)
        case .decimal(let width, let scale):
            let unscaled = try rescale(value, width: width, scale: scale, mismatch: mismatch)
            switch width {
            case ...4: store(Int16(truncatingIfNeeded: unscaled))
            case ...9: store(Int32(truncatingIfNeeded: unscaled))
            case ...18: store(Int64(truncatingIfNeeded: unscaled))
            default: store(hugeint(unscaled))
            }
        case .varchar, .json:
            guard case .varchar(let s) = value else { throw mismatch() }
            var text = s
            text.withUTF8 { utf8 in
                utf8.withMemoryRebound(to: CChar.self) { duckdb_vector_assign_string_element_len(vector, idx_t(row), $0.baseAddress, idx_t($0.count)) }
            }
        case .blob:
            guard case .blob(let bytes) = value else { throw mismatch() }
            bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { duckdb_vector_assign_string_element_len(vector, idx_t(row), $0.baseAddress, idx_t($0.count)) }
            }
        case .date:
            guard case .date(let days) = value else { throw mismatch() }
            store(days)
        case .time:
            guard case .time(let micros) = value else { throw mismatch() }
            store(micros)
        case .timestamp, .timestampTZ:
            switch value {
            case .timestamp(let micros), .timestampTZ(let micros): store(micros)
            default: throw mismatch()
            }
        case .timestampNS:
            guard case .timestampNS(let nanos) = value else { throw mismatch() }
            store(nanos)
        case .timestampS, .timestampMS:
            throw DatabaseError(kind: .notImplemented, message: "writing \(type) columns is not supported; use TIMESTAMP")
        case .interval:
            guard case .interval(let i) = value else { throw mismatch() }
            store(duckdb_interval(months: i.months, days: i.days, micros: i.micros))
        case .uuid:
            guard case .uuid(let u) = value else { throw mismatch() }
            store(duckdb_hugeint(lower: UInt64(truncatingIfNeeded: u), upper: Int64(bitPattern: UInt64(u >> 64) ^ (1 << 63))))
        case .list(let childType):
            guard case .list(let items) = value else { throw mismatch() }
            let offset = duckdb_list_vector_get_size(vector)
            guard duckdb_list_vector_reserve(vector, offset + idx_t(items.count)) == DuckDBSuccess else {
                throw DatabaseError(kind: .outOfMemory, message: "could not grow a list vector")
            }
            let child = duckdb_list_vector_get_child(vector)
            for (i, item) in items.enumerated() { try write(item, into: child, type: childType, row: Int(offset) + i) }
            duckdb_list_vector_set_size(vector, offset + idx_t(items.count))
            store(duckdb_list_entry(offset: offset, length: UInt64(items.count)))
        case .array(let childType, let size):
            guard case .array(let items) = value, items.count == size else { throw mismatch() }
            let child = duckdb_array_vector_get_child(vector)
            for (i, item) in items.enumerated() { try write(item, into: child, type: childType, row: row * size + i) }
        case .structure: break                       // handled above
        case .map(let keyType, let valueType):
            guard case .map(let entries) = value else { throw mismatch() }
            let offset = duckdb_list_vector_get_size(vector)
            guard duckdb_list_vector_reserve(vector, offset + idx_t(entries.count)) == DuckDBSuccess else {
                throw DatabaseError(kind: .outOfMemory, message: "could not grow a map vector")
            }
            let pairs = duckdb_list_vector_get_child(vector)
            let keys = duckdb_struct_vector_get_child(pairs, 0), values = duckdb_struct_vector_get_child(pairs, 1)
            for (i, entry) in entries.enumerated() {
                try write(entry.key, into: keys, type: keyType, row: Int(offset) + i)
                try write(entry.value, into: values, type: valueType, row: Int(offset) + i)
            }
            duckdb_list_vector_set_size(vector, offset + idx_t(entries.count))
            store(duckdb_list_entry(offset: offset, length: UInt64(entries.count)))
        case .other(_, let name):
            throw DatabaseError(kind: .notImplemented, message: "writing values of type \(name) is not supported")
        }
    }

    static func hugeint(_ v: Int128) -> duckdb_hugeint {
        duckdb_hugeint(lower: UInt64(truncatingIfNeeded: v), upper: Int64(truncatingIfNeeded: v >> 64))
    }

    /// The unscaled integer of `value` at `scale`, exactly, or an error.
    static func rescale(_ value: Value, width: UInt8, scale: UInt8, mismatch: () -> DatabaseError) throws(DatabaseError) -> Int128 {
        var unscaled: Int128
        var from: UInt8
        switch value {
        case .decimal(let d): unscaled = d.unscaled; from = d.scale
        case .varchar(let text):
            guard let d = DecimalValue(text, width: width, scale: scale) else {
                throw DatabaseError(kind: .conversion, message: "'\(text.prefix(60))' is not a DECIMAL(\(width),\(scale))")
            }
            return d.unscaled
        default:
            guard let i = value.integerValue else { throw mismatch() }
            unscaled = i; from = 0
        }
        while from < scale {
            let (product, overflow) = unscaled.multipliedReportingOverflow(by: 10)
            if overflow { throw DatabaseError(kind: .outOfRange, message: "decimal value out of range for DECIMAL(\(width),\(scale))") }
            unscaled = product; from += 1
        }
        while from > scale {
            guard unscaled % 10 == 0 else {
                throw DatabaseError(kind: .conversion, message: "decimal value has more than \(scale) fractional digits")
            }
            unscaled /= 10; from -= 1
        }
        guard String(unscaled.magnitude).count <= Int(width) else {
            throw DatabaseError(kind: .outOfRange, message: "decimal value has more than \(width) digits")
        }
        return unscaled
    }
}

extension Value {
    /// A short name of the value's kind, for errors (never the value itself).
    var kindName: String {
        switch self {
        case .null: "NULL"
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
        case .decimal: "DECIMAL"
        case .varchar: "VARCHAR"
        case .blob: "BLOB"
        case .date: "DATE"
        case .time: "TIME"
        case .timestamp: "TIMESTAMP"
        case .timestampTZ: "TIMESTAMPTZ"
        case .timestampNS: "TIMESTAMP_NS"
        case .interval: "INTERVAL"
        case .uuid: "UUID"
        case .list: "LIST"
        case .array: "ARRAY"
        case .structure: "STRUCT"
        case .map: "MAP"
        }
    }
}
