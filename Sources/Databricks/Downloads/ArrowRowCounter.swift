import NIOCore

/// Counts the rows of an Arrow IPC stream by reading only its message headers (the
/// "Encapsulated message format" of the Arrow columnar spec): continuation marker, metadata
/// length, a `Message` flatbuffer, then `bodyLength` bytes. Used to check a chunk against the
/// manifest before the replicator decodes it; every offset read from the bytes is bounds-checked.
enum ArrowRowCounter {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Rows in all record batches, and whether the stream ended with an end-of-stream marker.
    static func count(_ stream: ByteBuffer) throws(Failure) -> (rows: Int64, sawEndOfStream: Bool) {
        var messages = 0
        return try walk(stream, messages: &messages)
    }

    /// The same for a stream in pieces. Pieces that each hold whole messages (one LZ4 frame per IPC
    /// message, as Databricks writes them) are read in place; otherwise they are joined first.
    static func count(pieces: [ByteBuffer]) throws(Failure) -> (rows: Int64, sawEndOfStream: Bool) {
        if pieces.count == 1 { return try count(pieces[0]) }
        var messages = 0, rows: Int64 = 0
        for (i, piece) in pieces.enumerated() {
            guard let counted = try? walk(piece, messages: &messages) else { break }
            rows += counted.rows
            if counted.sawEndOfStream || i == pieces.count - 1 {
                return i == pieces.count - 1 ? (rows, counted.sawEndOfStream) : try count(pieces.joined)
            }
        }
        return try count(pieces.joined)   // messages straddle pieces, or the stream is corrupt: the joined walk says where
    }

    /// Walks whole messages of `stream`; `messages` counts across pieces (the first must be the schema).
    private static func walk(_ stream: ByteBuffer, messages: inout Int) throws(Failure) -> (rows: Int64, sawEndOfStream: Bool) {
        var buffer = stream
        var rows: Int64 = 0
        while buffer.readableBytes > 0 {
            let start = stream.readableBytes - buffer.readableBytes
            guard var length = buffer.readInteger(endianness: .little, as: Int32.self) else {
                throw Failure(description: "stream cut inside a message prefix at byte \(start)")
            }
            if length == -1 {  // 0xFFFFFFFF continuation marker, then the real length
                guard let real = buffer.readInteger(endianness: .little, as: Int32.self) else {
                    throw Failure(description: "stream cut after a continuation marker at byte \(start)")
                }
                length = real
            }
            if length == 0 { return (rows, true) }
            guard length > 0, buffer.readableBytes >= Int(length),
                  let metadata = buffer.readSlice(length: Int(length)) else {
                throw Failure(description: "message at byte \(start) needs \(length) metadata bytes, \(buffer.readableBytes) left")
            }
            let (headerType, batchLength, bodyLength) = try parseMessage(metadata, at: start)
            guard bodyLength >= 0, Int64(buffer.readableBytes) >= bodyLength else {
                throw Failure(description: "message at byte \(start) needs a \(bodyLength)-byte body, \(buffer.readableBytes) left")
            }
            buffer.moveReaderIndex(forwardBy: Int(bodyLength))
            if headerType == 3 { rows += batchLength }
            if messages == 0 && headerType != 1 {
                throw Failure(description: "the stream does not start with a schema message")
            }
            messages += 1
        }
        return (rows, false)
    }

    /// `Message { version: short; header_type: ubyte; header: MessageHeader; bodyLength: long }`;
    /// for a `RecordBatch` header also its `length: long` (field 0).
    private static func parseMessage(_ bytes: ByteBuffer, at start: Int) throws(Failure) -> (UInt8, Int64, Int64) {
        let table = try FlatTable(bytes, at: Int(try u32(bytes, 0, start)), start: start)
        let headerType = try table.scalar(field: 1, as: UInt8.self) ?? 0
        let bodyLength = try table.scalar(field: 3, as: Int64.self) ?? 0
        guard headerType == 3 else { return (headerType, 0, bodyLength) }
        guard let headerOffset = try table.offsetField(2) else {
            throw Failure(description: "record batch message at byte \(start) has no header")
        }
        let batch = try FlatTable(bytes, at: headerOffset, start: start)
        let length = try batch.scalar(field: 0, as: Int64.self) ?? 0
        guard length >= 0 else { throw Failure(description: "negative batch length at byte \(start)") }
        return (headerType, length, bodyLength)
    }

    private static func u32(_ bytes: ByteBuffer, _ offset: Int, _ start: Int) throws(Failure) -> UInt32 {
        guard offset >= 0, bytes.readableBytes - offset >= 4,
              let value = bytes.getInteger(at: bytes.readerIndex + offset, endianness: .little, as: UInt32.self) else {
            throw Failure(description: "flatbuffer offset \(offset) out of range in the message at byte \(start)")
        }
        return value
    }

    /// A flatbuffer table: position plus its vtable.
    private struct FlatTable {
        let bytes: ByteBuffer
        let position: Int
        let vtable: Int
        let vtableSize: Int
        let start: Int

        init(_ bytes: ByteBuffer, at position: Int, start: Int) throws(Failure) {
            self.bytes = bytes; self.position = position; self.start = start
            guard let soffset = Self.read(bytes, position, as: Int32.self) else {
                throw Failure(description: "flatbuffer table outside the message at byte \(start)")
            }
            let vtable = position - Int(soffset)
            guard let size = Self.read(bytes, vtable, as: UInt16.self), size >= 4 else {
                throw Failure(description: "flatbuffer vtable outside the message at byte \(start)")
            }
            self.vtable = vtable; vtableSize = Int(size)
        }

        static func read<T: FixedWidthInteger>(_ bytes: ByteBuffer, _ offset: Int, as: T.Type) -> T? {
            guard offset >= 0, bytes.readableBytes - offset >= MemoryLayout<T>.size else { return nil }
            return bytes.getInteger(at: bytes.readerIndex + offset, endianness: .little, as: T.self)
        }

        private func fieldPosition(_ field: Int) -> Int? {
            let entry = 4 + 2 * field
            guard entry + 2 <= vtableSize, let relative = Self.read(bytes, vtable + entry, as: UInt16.self),
                  relative != 0 else { return nil }
            return position + Int(relative)
        }

        func scalar<T: FixedWidthInteger>(field: Int, as type: T.Type) throws(Failure) -> T? {
            guard let at = fieldPosition(field) else { return nil }
            guard let value = Self.read(bytes, at, as: T.self) else {
                throw Failure(description: "flatbuffer field outside the message at byte \(start)")
            }
            return value
        }

        func offsetField(_ field: Int) throws(Failure) -> Int? {
            guard let at = fieldPosition(field) else { return nil }
            guard let relative = Self.read(bytes, at, as: UInt32.self) else {
                throw Failure(description: "flatbuffer offset outside the message at byte \(start)")
            }
            return at + Int(relative)
        }
    }
}
