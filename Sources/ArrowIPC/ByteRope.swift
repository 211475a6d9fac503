import NIOCore

/// The unconsumed input of a ``StreamDecoder``: the fed pieces themselves, unjoined. (Public only
/// for ``defaultSmallPiece``.)
///
/// Pieces of 64 KiB or more are never gathered into one buffer: a range that lies inside one piece
/// (almost every Arrow buffer when pieces are megabytes) is handed out zero-copy, and only a range
/// that straddles pieces is copied, once, into a buffer of exactly its size.
public struct ByteRope: Sendable {
    public static let defaultSmallPiece = 64 * 1024
    private var pieces: [ArrowBuffer] = []
    /// Small pieces (under `smallPiece` bytes) are gathered here instead of kept one by one, so a
    /// trickle of tiny pieces cannot make the rope long. Sealed into `pieces` before anything
    /// points into it, so it is never written after it is shared.
    private var tail = ByteBuffer()
    /// Bytes of `pieces[0]` already consumed.
    private var headOffset = 0
    private(set) var readableBytes = 0
    let smallPiece: Int

    init(smallPiece: Int = ByteRope.defaultSmallPiece) { self.smallPiece = smallPiece }

    mutating func append(_ bytes: ByteBuffer) {
        guard bytes.readableBytes > 0 else { return }
        readableBytes += bytes.readableBytes
        if bytes.readableBytes < smallPiece {
            var incoming = bytes
            tail.writeBuffer(&incoming)                    // copying small pieces is cheaper than tracking them
        } else {
            seal()
            pieces.append(ArrowBuffer(bytes))
        }
    }

    private mutating func seal() {
        guard tail.readableBytes > 0 else { return }
        pieces.append(ArrowBuffer(tail))
        tail = ByteBuffer()
    }

    mutating func consume(_ count: Int) {
        seal()
        var remaining = min(count, readableBytes)
        readableBytes -= remaining
        while remaining > 0, let first = pieces.first {
            let left = first.readableBytes - headOffset
            if remaining >= left {
                pieces.removeFirst()
                headOffset = 0
                remaining -= left
            } else {
                headOffset += remaining
                remaining = 0
            }
        }
        if pieces.isEmpty { headOffset = 0 }
    }

    /// `length` readable bytes from `offset` (relative to the unconsumed start) as one contiguous buffer.
    mutating func contiguous(at offset: Int, length: Int) -> ArrowBuffer? {
        guard offset >= 0, length >= 0, offset <= readableBytes, readableBytes - offset >= length else { return nil }
        seal()
        return RopeRange(pieces: pieces, start: headOffset + offset, length: length).contiguous(at: 0, length: length)
    }

    /// A little-endian Int32 at `offset`, read in place (nothing retained, nothing sealed).
    func int32(at offset: Int) -> Int32? {
        guard offset >= 0, offset <= readableBytes, readableBytes - offset >= 4 else { return nil }
        var value: UInt32 = 0
        for index in 0..<4 {
            guard let byte = byte(at: offset + index) else { return nil }
            value |= UInt32(byte) << (8 * UInt32(index))
        }
        return Int32(bitPattern: value)
    }

    private func byte(at offset: Int) -> UInt8? {
        var position = headOffset + offset
        for piece in pieces {
            if position < piece.readableBytes { return piece.getInteger(at: position, as: UInt8.self) }
            position -= piece.readableBytes
        }
        return tail.getInteger(at: tail.readerIndex + position, as: UInt8.self)
    }

    /// A view of `length` bytes from `offset`, sharing the pieces.
    mutating func range(at offset: Int, length: Int) -> RopeRange? {
        guard offset >= 0, length >= 0, offset <= readableBytes, readableBytes - offset >= length else { return nil }
        seal()
        return RopeRange(pieces: pieces, start: headOffset + offset, length: length)
    }
}

/// A range of bytes over one or more pieces: a message body. Keeps its pieces alive.
struct RopeRange {
    let pieces: [ArrowBuffer]
    /// Offset of the range in the concatenation of `pieces`.
    let start: Int
    let readableBytes: Int

    init(pieces: [ArrowBuffer], start: Int, length: Int) {
        // Keep only the pieces the range touches.
        var first = 0, skipped = 0
        while first < pieces.count, skipped + pieces[first].readableBytes <= start, length > 0 {
            skipped += pieces[first].readableBytes
            first += 1
        }
        var last = first, covered = skipped
        while last < pieces.count, covered < start + length {
            covered += pieces[last].readableBytes
            last += 1
        }
        self.pieces = first < last ? Array(pieces[first..<last]) : []
        self.start = start - skipped
        readableBytes = length
    }

    /// Same contract as ``ArrowBuffer/getSlice(at:length:)``: zero-copy inside one piece, else one copy.
    func getSlice(at offset: Int, length: Int) -> ArrowBuffer? {
        guard offset >= 0, length >= 0, offset <= readableBytes, readableBytes - offset >= length else { return nil }
        return contiguous(at: offset, length: length)
    }

    func contiguous(at offset: Int, length: Int) -> ArrowBuffer? {
        var position = start + offset
        var index = 0
        while index < pieces.count, position >= pieces[index].readableBytes, length > 0 || position > pieces[index].readableBytes {
            position -= pieces[index].readableBytes
            index += 1
        }
        if length == 0 { return pieces.first.flatMap { $0.getSlice(at: 0, length: 0) } ?? ArrowBuffer(ByteBuffer()) }
        guard index < pieces.count else { return nil }
        if pieces[index].readableBytes - position >= length {
            return pieces[index].getSlice(at: position, length: length)          // inside one piece
        }
        // Straddles pieces: the one copy.
        var joined = ByteBufferAllocator().buffer(capacity: length)
        var remaining = length
        while remaining > 0, index < pieces.count {
            let take = min(remaining, pieces[index].readableBytes - position)
            if let part = pieces[index].getSlice(at: position, length: take) {
                _ = part.withUnsafeReadableBytes { joined.writeBytes($0) }
            }
            remaining -= take
            position = 0
            index += 1
        }
        return remaining == 0 ? ArrowBuffer(joined) : nil
    }
}
