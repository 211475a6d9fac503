/// A bounds-checked reader for the flatbuffers that hold Arrow IPC metadata (Message.fbs, Schema.fbs).
///
/// Every offset in the input is hostile: each load checks `offset >= 0 && count - offset >= size`
/// first (never `offset + size`, which could overflow), and every error says where it happened
/// relative to the stream (`base` is the metadata's offset in the stream). Offsets to sub-objects
/// in flatbuffers are unsigned and point forward, so following them cannot loop.
///
/// Only borrows `bytes`; callers copy what they keep (strings, scalars) before the closure that lent
/// the pointer returns.
struct FlatBufferReader {
    let bytes: UnsafeRawBufferPointer
    /// Offset of `bytes` in the stream, for error messages.
    let base: Int

    /// Loads a little-endian integer after checking that `size` bytes exist at `offset`.
    @inline(__always)
    func load<T: FixedWidthInteger>(_ type: T.Type, at offset: Int, _ what: @autoclosure () -> String) throws(ArrowIPCError) -> T {
        let size = MemoryLayout<T>.size
        guard offset >= 0, bytes.count - offset >= size else {
            throw ArrowIPCError.truncated("flatbuffer \(what())", at: base + max(offset, 0), need: size,
                                          have: max(0, bytes.count - max(offset, 0)))
        }
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// The root table (the buffer starts with a uoffset to it).
    func root() throws(ArrowIPCError) -> FlatTable {
        let offset = Int(try load(UInt32.self, at: 0, "root offset"))
        return try table(at: offset)
    }

    /// The table whose first byte is at `position`.
    func table(at position: Int) throws(ArrowIPCError) -> FlatTable {
        let soffset = Int(try load(Int32.self, at: position, "table vtable offset"))
        let vtable = position - soffset        // both within 32-bit ranges: no overflow in Int
        let vtableSize = Int(try load(UInt16.self, at: vtable, "vtable size"))
        let tableSize = Int(try load(UInt16.self, at: vtable + 2, "table size"))
        guard vtableSize >= 4, vtableSize % 2 == 0, bytes.count - vtable >= vtableSize else {
            throw ArrowIPCError.invalid("flatbuffer vtable of \(vtableSize) bytes does not fit", at: base + vtable)
        }
        guard tableSize >= 4, bytes.count - position >= tableSize else {
            throw ArrowIPCError.invalid("flatbuffer table of \(tableSize) bytes does not fit", at: base + position)
        }
        return FlatTable(reader: self, position: position, vtable: vtable, vtableSize: vtableSize, tableSize: tableSize)
    }
}

/// One flatbuffer table: fields are looked up by their index in the schema (declaration order;
/// a union takes two indices, its type then its value).
struct FlatTable {
    let reader: FlatBufferReader
    let position: Int
    let vtable: Int
    let vtableSize: Int
    let tableSize: Int

    /// Absolute position of field `index`'s inline value (`size` bytes), or nil when absent.
    func fieldPosition(_ index: Int, size: Int) throws(ArrowIPCError) -> Int? {
        let slot = 4 + 2 * index
        guard slot + 2 <= vtableSize else { return nil }
        let offset = Int(try reader.load(UInt16.self, at: vtable + slot, "vtable slot"))
        guard offset != 0 else { return nil }
        guard offset >= 4, tableSize - offset >= size else {
            throw ArrowIPCError.invalid("flatbuffer field \(index) at \(offset) overruns its \(tableSize)-byte table",
                                        at: reader.base + position)
        }
        return position + offset
    }

    func scalar<T: FixedWidthInteger>(_ index: Int, default value: T) throws(ArrowIPCError) -> T {
        guard let at = try fieldPosition(index, size: MemoryLayout<T>.size) else { return value }
        return try reader.load(T.self, at: at, "field \(index)")
    }

    func bool(_ index: Int, default value: Bool = false) throws(ArrowIPCError) -> Bool {
        try scalar(index, default: UInt8(value ? 1 : 0)) != 0
    }

    /// Where the uoffset in field `index` points, or nil when absent.
    func target(_ index: Int) throws(ArrowIPCError) -> Int? {
        guard let at = try fieldPosition(index, size: 4) else { return nil }
        let offset = Int(try reader.load(UInt32.self, at: at, "offset field \(index)"))
        guard offset > 0 else { throw ArrowIPCError.invalid("flatbuffer offset field \(index) is zero", at: reader.base + at) }
        return at + offset
    }

    func table(_ index: Int) throws(ArrowIPCError) -> FlatTable? {
        guard let at = try target(index) else { return nil }
        return try reader.table(at: at)
    }

    func string(_ index: Int) throws(ArrowIPCError) -> String? {
        guard let at = try target(index) else { return nil }
        return try reader.string(at: at)
    }

    /// A vector of `elementSize`-byte inline elements: the position of element 0 and the count.
    func vector(_ index: Int, elementSize: Int) throws(ArrowIPCError) -> FlatVector? {
        guard let at = try target(index) else { return nil }
        let count = Int(try reader.load(UInt32.self, at: at, "vector length"))
        let start = at + 4
        // count < 2^32 and elementSize <= 16: the product fits in Int.
        guard reader.bytes.count - start >= count * elementSize else {
            throw ArrowIPCError.truncated("flatbuffer vector of \(count) elements", at: reader.base + at,
                                          need: count * elementSize, have: max(0, reader.bytes.count - start))
        }
        return FlatVector(reader: reader, start: start, count: count, elementSize: elementSize)
    }

    /// A vector of tables.
    func tables(_ index: Int) throws(ArrowIPCError) -> [FlatTable] {
        guard let vector = try vector(index, elementSize: 4) else { return [] }
        var tables: [FlatTable] = []
        tables.reserveCapacity(vector.count)
        for element in 0..<vector.count {
            let at = vector.start + 4 * element
            let offset = Int(try reader.load(UInt32.self, at: at, "vector element"))
            tables.append(try reader.table(at: at + offset))
        }
        return tables
    }
}

struct FlatVector {
    let reader: FlatBufferReader
    let start: Int
    let count: Int
    let elementSize: Int

    func load<T: FixedWidthInteger>(_ type: T.Type, element: Int, field byteOffset: Int = 0) throws(ArrowIPCError) -> T {
        try reader.load(T.self, at: start + element * elementSize + byteOffset, "vector element \(element)")
    }
}

extension FlatBufferReader {
    func string(at position: Int) throws(ArrowIPCError) -> String {
        let length = Int(try load(UInt32.self, at: position, "string length"))
        let start = position + 4
        guard bytes.count - start >= length else {
            throw ArrowIPCError.truncated("flatbuffer string", at: base + position, need: length, have: max(0, bytes.count - start))
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]), as: UTF8.self)
    }
}
