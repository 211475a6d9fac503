import NIOCore

/// Appends a dictionary delta to the dictionary so far. The only place the reader copies array
/// data: DuckDB (and the C Data Interface) take one dictionary array per batch, and a delta
/// arrives as a separate body. Fixed-width, boolean and (large) binary/string values are supported.
enum DictionaryConcatenation {
    static func concatenate(_ first: ArrayData, _ second: ArrayData, field: ArrowField, at: Int) throws(ArrowIPCError) -> ArrayData {
        let length = first.length + second.length
        let nulls = first.nullCount + second.nullCount
        guard field.type.hasValidityBuffer, !first.buffers.isEmpty, !second.buffers.isEmpty else {
            throw ArrowIPCError.unsupported("dictionary deltas for \(field.type) values", at: at)
        }
        let validity = nulls == 0 ? nil : bits(first.buffers[0], first.length, second.buffers[0], second.length)
        let validator = ArrayValidator(field: field, length: 0, nullCount: 0, at: at)
        switch field.type {
        case .bool:
            let values = bits(first.buffers[1], first.length, second.buffers[1], second.length, absentIsSet: false)
            return ArrayData(length: length, nullCount: nulls, buffers: [validity, values])
        case .int, .floatingPoint, .decimal, .fixedSizeBinary, .date, .time, .timestamp, .duration, .interval:
            let width = validator.byteWidth
            var values = ByteBufferAllocator().buffer(capacity: length * width)
            append(&values, first.buffers[1], bytes: first.length * width)
            append(&values, second.buffers[1], bytes: second.length * width)
            return ArrayData(length: length, nullCount: nulls, buffers: [validity, ArrowBuffer(values)])
        case .utf8, .binary, .largeUtf8, .largeBinary:
            let large = field.type == .largeUtf8 || field.type == .largeBinary
            var offsets = ByteBufferAllocator().buffer(capacity: (length + 1) * (large ? 8 : 4))
            var data = ByteBufferAllocator().buffer(capacity: first.size(of: 2) + second.size(of: 2))
            var base = 0
            func write(_ value: Int) {
                if large { offsets.writeInteger(Int64(value), endianness: .little) } else { offsets.writeInteger(Int32(truncatingIfNeeded: value), endianness: .little) }
            }
            write(0)
            for part in [first, second] where part.length > 0 {
                guard let partOffsets = part.buffers[1] else { continue }
                let start = offset(partOffsets, 0, large), end = offset(partOffsets, part.length, large)
                for index in 1...part.length { write(base + offset(partOffsets, index, large) - start) }
                if end > start, let values = part.buffers[2], let bytes = values.getSlice(at: start, length: end - start) {
                    _ = bytes.withUnsafeReadableBytes { data.writeBytes($0) }
                }
                base += end - start
            }
            if !large && base > Int(Int32.max) {
                throw ArrowIPCError.unsupported("dictionary of \(field.type) grew past 2 GiB with deltas", at: at)
            }
            return ArrayData(length: length, nullCount: nulls, buffers: [validity, ArrowBuffer(offsets), ArrowBuffer(data)])
        default:
            throw ArrowIPCError.unsupported("dictionary deltas for \(field.type) values", at: at)
        }
    }

    private static func offset(_ buffer: ArrowBuffer, _ index: Int, _ large: Bool) -> Int {
        large ? Int(buffer.getInteger(at: buffer.readerIndex + index * 8, endianness: .little, as: Int64.self) ?? 0)
              : Int(buffer.getInteger(at: buffer.readerIndex + index * 4, endianness: .little, as: Int32.self) ?? 0)
    }

    private static func append(_ target: inout ByteBuffer, _ source: ArrowBuffer?, bytes: Int) {
        guard bytes > 0 else { return }
        if let source, let slice = source.getSlice(at: 0, length: bytes) { _ = slice.withUnsafeReadableBytes { target.writeBytes($0) } }
        else { target.writeRepeatingByte(0, count: bytes) }
    }

    /// Two bitmaps joined bit by bit (the second starts at bit `firstLength`). A missing validity
    /// bitmap means all set.
    private static func bits(_ a: ArrowBuffer?, _ aLength: Int, _ b: ArrowBuffer?, _ bLength: Int, absentIsSet: Bool = true) -> ArrowBuffer {
        let total = aLength + bLength
        var bytes = [UInt8](repeating: 0, count: (total + 7) / 8)
        func bit(_ buffer: ArrowBuffer?, _ index: Int) -> Bool {
            guard let buffer else { return absentIsSet }
            let byte = buffer.getInteger(at: buffer.readerIndex + index / 8, as: UInt8.self) ?? 0
            return byte & (1 << UInt8(index % 8)) != 0
        }
        for index in 0..<aLength where bit(a, index) { bytes[index / 8] |= 1 << UInt8(index % 8) }
        for index in 0..<bLength where bit(b, index) { bytes[(aLength + index) / 8] |= 1 << UInt8((aLength + index) % 8) }
        return ArrowBuffer(ByteBuffer(bytes: bytes))
    }
}
