
/// Checks one array's buffers against its layout before anything reads them: sizes for fixed-width
/// data, and every offset, view, list-view entry, union slot and dictionary index for the rest.
/// DuckDB reads Arrow buffers without checks, so this is what keeps hostile input in bounds.
struct ArrayValidator {
    let field: ArrowField
    let length: Int
    let nullCount: Int
    let at: Int

    private func fail(_ message: String) -> ArrowIPCError {
        ArrowIPCError.invalid("field \"\(field.name)\" (\(field.type)): \(message)", at: at)
    }

    private func need(_ buffer: ArrowBuffer?, _ bytes: Int, _ what: String) throws(ArrowIPCError) {
        let have = buffer?.readableBytes ?? 0
        guard have >= bytes else {
            throw ArrowIPCError.truncated("field \"\(field.name)\" (\(field.type)) \(what) for \(length) values", at: at, need: bytes, have: have)
        }
    }

    private func product(_ a: Int, _ b: Int) throws(ArrowIPCError) -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw fail("\(a) x \(b) bytes overflows") }
        return value
    }

    func validity(_ buffer: ArrowBuffer?) throws(ArrowIPCError) {
        if buffer == nil {
            guard nullCount == 0 else { throw fail("\(nullCount) nulls but no validity bitmap") }
            return
        }
        try need(buffer, (length + 7) / 8, "validity bitmap")
    }

    /// Bytes per value of a fixed-width type; 0 for bool (bit-packed).
    var byteWidth: Int {
        switch field.type {
        case .bool: 0
        case let .int(bits, _): bits / 8
        case let .floatingPoint(p): p == .half ? 2 : p == .single ? 4 : 8
        case let .decimal(_, _, bits): bits / 8
        case let .fixedSizeBinary(width): width
        case let .date(days): days ? 4 : 8
        case let .time(_, bits): bits / 8
        case .timestamp, .duration: 8
        case let .interval(unit): unit == .yearMonth ? 4 : unit == .dayTime ? 8 : 16
        default: 0
        }
    }

    func fixedWidth(_ values: ArrowBuffer?) throws(ArrowIPCError) {
        if case .bool = field.type { return try need(values, (length + 7) / 8, "bit-packed values") }
        try need(values, try product(length, byteWidth), "values")
    }

    func childLength(_ childLength: Int, needed: Int, child: Int) throws(ArrowIPCError) {
        guard childLength >= needed else { throw fail("child \(child) has \(childLength) values, needs \(needed)") }
    }

    /// Offsets (int32 or int64) must start at >= 0, never decrease and end within the target.
    func offsets(_ buffer: ArrowBuffer?, large: Bool, targetLength: Int, what: String) throws(ArrowIPCError) {
        guard length > 0 else { return }
        let width = large ? 8 : 4
        try need(buffer, try product(length + 1, width), "\(what) offsets")
        guard let buffer else { return }
        let problem: String? = buffer.withUnsafeReadableBytes { raw in
            var previous = 0
            for index in 0...length {
                let value = large ? Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)))
                                  : Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
                if index == 0 {
                    if value < 0 { return "first \(what) offset is \(value)" }
                } else if value < previous {
                    return "\(what) offset \(index) (\(value)) is below offset \(index - 1) (\(previous))"
                }
                previous = value
            }
            return previous > targetLength ? "last \(what) offset \(previous) is past the \(targetLength) available" : nil
        }
        if let problem { throw fail(problem) }
    }

    func listViews(offsets: ArrowBuffer?, sizes: ArrowBuffer?, large: Bool, childLength: Int) throws(ArrowIPCError) {
        guard length > 0 else { return }
        let width = large ? 8 : 4
        try need(offsets, try product(length, width), "list-view offsets")
        try need(sizes, try product(length, width), "list-view sizes")
        guard let offsets, let sizes else { return }
        let problem: String? = offsets.withUnsafeReadableBytes { o in
            sizes.withUnsafeReadableBytes { s in
                for index in 0..<length {
                    let offset = large ? Int(Int64(littleEndian: o.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)))
                                       : Int(Int32(littleEndian: o.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
                    let size = large ? Int(Int64(littleEndian: s.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)))
                                     : Int(Int32(littleEndian: s.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
                    if offset < 0 || size < 0 || offset > childLength || childLength - offset < size {
                        return "list view \(index) (offset \(offset), size \(size)) is outside the \(childLength) child values"
                    }
                }
                return nil
            }
        }
        if let problem { throw fail(problem) }
    }

    /// Binary views: 16 bytes each; longer than 12 bytes means (prefix, buffer index, offset).
    func views(_ views: ArrowBuffer?, data: [ArrowBuffer?]) throws(ArrowIPCError) {
        guard length > 0 else { return }
        try need(views, try product(length, 16), "views")
        guard let views else { return }
        let sizes = data.map { $0?.readableBytes ?? 0 }
        let problem: String? = views.withUnsafeReadableBytes { raw in
            for index in 0..<length {
                let base = index * 16
                let size = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: base, as: Int32.self)))
                if size < 0 { return "view \(index) has length \(size)" }
                if size <= 12 { continue }
                let buffer = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8, as: Int32.self)))
                let offset = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 12, as: Int32.self)))
                if buffer < 0 || buffer >= sizes.count { return "view \(index) names data buffer \(buffer) of \(sizes.count)" }
                if offset < 0 || offset > sizes[buffer] || sizes[buffer] - offset < size {
                    return "view \(index) (\(size) bytes at \(offset)) is outside data buffer \(buffer) (\(sizes[buffer]) bytes)"
                }
            }
            return nil
        }
        if let problem { throw fail(problem) }
    }

    func union(types: ArrowBuffer?, offsets: ArrowBuffer?, typeIDs: [Int32], children: [ArrayData], dense: Bool) throws(ArrowIPCError) {
        guard length > 0 else { return }
        try need(types, length, "union type ids")
        if dense { try need(offsets, try product(length, 4), "union offsets") }
        else { for (index, child) in children.enumerated() { try childLength(child.length, needed: length, child: index) } }
        guard let types else { return }
        var childForID = [Int](repeating: -1, count: 128)
        for (index, id) in typeIDs.enumerated() where (0..<128).contains(Int(id)) { childForID[Int(id)] = index }
        let lengths = children.map(\.length)
        let problem: String? = types.withUnsafeReadableBytes { t in
            for index in 0..<length {
                let id = Int(Int8(bitPattern: t[index]))
                guard id >= 0, childForID[id] >= 0 else { return "slot \(index) has unknown type id \(id)" }
                if dense, let offsets {
                    let offset = offsets.withUnsafeReadableBytes { o in
                        Int(Int32(littleEndian: o.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
                    }
                    if offset < 0 || offset >= lengths[childForID[id]] {
                        return "slot \(index) points at value \(offset) of child \(childForID[id]) (\(lengths[childForID[id]]) values)"
                    }
                }
            }
            return nil
        }
        if let problem { throw fail(problem) }
    }

    /// Every index, null slots included, must name a dictionary entry (DuckDB does not skip null slots).
    func dictionaryIndices(_ indices: ArrowBuffer?, encoding: ArrowDictionaryEncoding, dictionaryLength: Int) throws(ArrowIPCError) {
        guard length > 0 else { return }
        let width = encoding.indexBitWidth / 8
        try need(indices, try product(length, width), "dictionary indices")
        guard let indices else { return }
        let problem: String? = indices.withUnsafeReadableBytes { raw in
            for index in 0..<length {
                let value: Int
                switch (width, encoding.indexSigned) {
                case (1, true): value = Int(Int8(bitPattern: raw[index]))
                case (1, false): value = Int(raw[index])
                case (2, true): value = Int(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: Int16.self)))
                case (2, false): value = Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
                case (4, true): value = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
                case (4, false): value = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)))
                case (_, true): value = Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self)))
                default:
                    let unsigned = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))
                    value = unsigned > UInt64(Int.max) ? -1 : Int(unsigned)
                }
                if value < 0 || value >= dictionaryLength {
                    return "index \(value) at slot \(index) is outside the dictionary of \(dictionaryLength) values"
                }
            }
            return nil
        }
        if let problem { throw fail(problem) }
    }
}
