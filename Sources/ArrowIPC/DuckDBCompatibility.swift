import NIOCore

/// How ``RecordBatch/exportToC(options:)`` hands over types that DuckDB 2.0 cannot take as they are.
public struct ExportOptions: Sendable, Equatable {
    /// Convert the few types DuckDB's Arrow import rejects or misreads (see ``duckDB``).
    public var duckDBCompatible: Bool

    public init(duckDBCompatible: Bool) { self.duckDBCompatible = duckDBCompatible }

    /// The default. Everything is zero-copy except these conversions, each the least work that
    /// DuckDB accepts (measured against DuckDB 2.0.1):
    /// - float16 ("e", "Unsupported Internal Arrow Type"): widened to float32, one new buffer;
    /// - decimal256 ("d:p,s,256", unsupported): narrowed to decimal128 when precision <= 38 (every
    ///   value is checked to fit); wider ones throw, as DuckDB's DECIMAL holds at most 38 digits;
    /// - day-time interval ("tiD"): DuckDB reads it as one int64 of milliseconds, which is wrong
    ///   (it is int32 days + int32 milliseconds), so it becomes a month-day-nano interval.
    /// Dense unions ("+ud", unsupported by DuckDB) are exported as they are, and DuckDB refuses them.
    public static let duckDB = ExportOptions(duckDBCompatible: true)
    /// Exactly the stream's types, all zero-copy.
    public static let faithful = ExportOptions(duckDBCompatible: false)
}

enum DuckDBCompatibility {
    /// The field and array as DuckDB should see them; the same objects when nothing needs converting.
    static func convert(_ field: ArrowField, _ data: ArrayData) throws(ArrowIPCError) -> (ArrowField, ArrayData) {
        guard needsConversion(field) else { return (field, data) }
        var field = field
        if field.dictionary != nil {
            guard let dictionary = data.dictionary else { return (field, data) }
            var values = field
            values.dictionary = nil
            let (convertedField, convertedValues) = try convert(values, dictionary)
            field.type = convertedField.type
            field.children = convertedField.children
            return (field, ArrayData(length: data.length, nullCount: data.nullCount, offset: data.offset,
                                     buffers: data.buffers, dictionary: convertedValues))
        }
        switch field.type {
        case .floatingPoint(.half):
            field.type = .floatingPoint(.single)
            return (field, ArrayData(length: data.length, nullCount: data.nullCount, offset: data.offset,
                                     buffers: [data.buffers[0], widenHalf(data.buffers[1], count: data.offset + data.length)]))
        case let .decimal(precision, scale, 256):
            guard precision <= 38 else {
                throw ArrowIPCError.unsupported("column \"\(field.name)\" is decimal256(\(precision), \(scale)); DuckDB's DECIMAL holds at most 38 digits")
            }
            field.type = .decimal(precision: precision, scale: scale, bitWidth: 128)
            let narrowed = try narrowDecimal(data.buffers[1], count: data.offset + data.length, validity: data.buffers[0],
                                             name: field.name)
            return (field, ArrayData(length: data.length, nullCount: data.nullCount, offset: data.offset,
                                     buffers: [data.buffers[0], narrowed]))
        case .interval(.dayTime):
            field.type = .interval(.monthDayNano)
            return (field, ArrayData(length: data.length, nullCount: data.nullCount, offset: data.offset,
                                     buffers: [data.buffers[0], dayTimeToMonthDayNano(data.buffers[1], count: data.offset + data.length)]))
        default:
            var children: [ArrayData] = []
            for (index, child) in data.children.enumerated() {
                let (convertedField, convertedData) = try convert(field.children[index], child)
                field.children[index] = convertedField
                children.append(convertedData)
            }
            return (field, ArrayData(length: data.length, nullCount: data.nullCount, offset: data.offset,
                                     buffers: data.buffers, children: children, dictionary: data.dictionary))
        }
    }

    /// The field's type after ``convert(_:_:)`` (decimal256 wider than 38 digits stays: export throws).
    static func convertedType(_ field: ArrowField) -> ArrowField {
        var field = field
        switch field.type {
        case .floatingPoint(.half): field.type = .floatingPoint(.single)
        case let .decimal(precision, scale, 256) where precision <= 38: field.type = .decimal(precision: precision, scale: scale, bitWidth: 128)
        case .interval(.dayTime): field.type = .interval(.monthDayNano)
        default: field.children = field.children.map(convertedType)
        }
        return field
    }

    static func needsConversion(_ field: ArrowField) -> Bool {
        switch field.type {
        case .floatingPoint(.half), .decimal(_, _, 256), .interval(.dayTime): return true
        default: return field.children.contains(where: needsConversion)
        }
    }

    /// IEEE half to single precision, bit by bit (Float16 is not available on every platform).
    static func widenHalf(_ buffer: ArrowBuffer?, count: Int) -> ArrowBuffer {
        var output = ByteBufferAllocator().buffer(capacity: count * 4)
        guard let buffer else { output.writeRepeatingByte(0, count: count * 4); return ArrowBuffer(output) }
        buffer.withUnsafeReadableBytes { raw in
            for index in 0..<count {
                let half = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self))
                output.writeInteger(halfToFloat(half).bitPattern, endianness: .little)
            }
        }
        return ArrowBuffer(output)
    }

    static func halfToFloat(_ half: UInt16) -> Float {
        let sign: Float = half & 0x8000 != 0 ? -1 : 1
        let exponent = Int((half >> 10) & 0x1F)
        let mantissa = Float(half & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24                          // subnormal
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// Keeps the low 16 bytes of each 32-byte value; throws if a (non-null) value needs the high half.
    static func narrowDecimal(_ buffer: ArrowBuffer?, count: Int, validity: ArrowBuffer?, name: String) throws(ArrowIPCError) -> ArrowBuffer {
        var output = ByteBufferAllocator().buffer(capacity: count * 16)
        guard let buffer else { output.writeRepeatingByte(0, count: count * 16); return ArrowBuffer(output) }
        let fits: Bool = buffer.withUnsafeReadableBytes { raw in
            for index in 0..<count {
                let base = index * 32
                let low = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base, as: UInt64.self))
                let middle = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8, as: Int64.self))
                let extend: UInt64 = middle < 0 ? .max : 0
                let high0 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 16, as: UInt64.self))
                let high1 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base + 24, as: UInt64.self))
                let valid = validity.map { bitmap in
                    (bitmap.getInteger(at: bitmap.readerIndex + index / 8, as: UInt8.self) ?? 0) & (1 << UInt8(index % 8)) != 0
                } ?? true
                if valid && (high0 != extend || high1 != extend) { return false }
                output.writeInteger(low, endianness: .little)
                output.writeInteger(middle, endianness: .little)
            }
            return true
        }
        guard fits else { throw ArrowIPCError.unsupported("column \"\(name)\" holds a decimal256 value beyond 128 bits") }
        return ArrowBuffer(output)
    }

    /// (int32 days, int32 ms) to (int32 months = 0, int32 days, int64 ns).
    static func dayTimeToMonthDayNano(_ buffer: ArrowBuffer?, count: Int) -> ArrowBuffer {
        var output = ByteBufferAllocator().buffer(capacity: count * 16)
        guard let buffer else { output.writeRepeatingByte(0, count: count * 16); return ArrowBuffer(output) }
        buffer.withUnsafeReadableBytes { raw in
            for index in 0..<count {
                let days = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int32.self))
                let millis = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8 + 4, as: Int32.self))
                output.writeInteger(Int32(0), endianness: .little)
                output.writeInteger(days, endianness: .little)
                output.writeInteger(Int64(millis) * 1_000_000, endianness: .little)
            }
        }
        return ArrowBuffer(output)
    }
}
