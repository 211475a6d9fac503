public import NIOCore

/// Immutable bytes of one Arrow buffer: a pointer into a `ByteBuffer`'s storage plus a strong
/// reference to that storage, which keeps the bytes alive and in place.
///
/// Why not a `ByteBuffer` slice: NIO stores a slice's start in 24 bits, so `getSlice` beyond 16 MiB
/// into a buffer silently copies; Arrow messages are often bigger than that. Holding the storage
/// is safe because NIO copies on write whenever the storage is shared, so nothing writes through
/// the bytes an ArrowBuffer points to once it exists.
public struct ArrowBuffer: @unchecked Sendable {
    // @unchecked: `owner` is only retained and released (never used otherwise), and the bytes are immutable.
    let owner: AnyObject
    let base: UnsafeRawPointer
    public let readableBytes: Int

    /// The readable bytes of `buffer`, without copying them.
    public init(_ buffer: ByteBuffer) {
        (owner, base, readableBytes) = buffer.withUnsafeReadableBytesWithStorageManagement { raw, storage in
            (storage.takeUnretainedValue(), raw.baseAddress ?? UnsafeRawPointer(CDataExport.zeros), raw.count)
        }
    }

    private init(owner: AnyObject, base: UnsafeRawPointer, count: Int) {
        self.owner = owner; self.base = base; readableBytes = count
    }

    /// Index of the first byte (always 0; mirrors `ByteBuffer` so checks read the same).
    public var readerIndex: Int { 0 }

    /// `length` bytes from `index`, sharing storage; nil when out of bounds.
    public func getSlice(at index: Int, length: Int) -> ArrowBuffer? {
        guard index >= 0, length >= 0, index <= readableBytes, readableBytes - index >= length else { return nil }
        return ArrowBuffer(owner: owner, base: base + index, count: length)
    }

    /// Lends the bytes; the pointer must not escape `body` (use ``ArrowBuffer`` itself to keep them).
    public func withUnsafeReadableBytes<T, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        try body(UnsafeRawBufferPointer(start: base, count: readableBytes))
    }

    /// A little-endian integer at `index`, or nil when it does not fit.
    public func getInteger<T: FixedWidthInteger>(at index: Int, endianness: Endianness = .little, as type: T.Type = T.self) -> T? {
        let size = MemoryLayout<T>.size
        guard index >= 0, readableBytes - index >= size else { return nil }
        let raw = base.loadUnaligned(fromByteOffset: index, as: T.self)
        return endianness == .little ? T(littleEndian: raw) : T(bigEndian: raw)
    }
}
