import NIOCore

/// Splits an Arrow IPC stream into its encapsulated messages (continuation marker or legacy length
/// prefix, `Message` flatbuffer, body) as the bytes arrive. ``StreamDecoder`` and
/// ``StreamRowCounter`` both read the stream through it, so they accept and reject the same framing.
struct MessageFramer {
    enum Frame {
        /// A whole message: its parsed metadata and its body, still in the fed pieces.
        case message(MessageMetadata, body: RopeRange, bodyOffset: Int)
        case endOfStream
    }

    private var pending: ByteRope
    /// Stream offset of `pending`'s first unconsumed byte.
    private(set) var position = 0
    /// The message whose metadata has been parsed but whose body is still arriving.
    private var waiting: (metadata: MessageMetadata, prefix: Int, metadataLength: Int)?
    private(set) var ended = false

    init(gatherPiecesSmallerThan smallPiece: Int) {
        pending = ByteRope(smallPiece: smallPiece)
    }

    /// Takes the next bytes of the stream (kept as they are: bodies point into them).
    mutating func append(_ bytes: ByteBuffer) throws(ArrowIPCError) {
        guard bytes.readableBytes > 0 else { return }
        if ended {
            throw ArrowIPCError.invalid("\(bytes.readableBytes) bytes after the end-of-stream marker", at: position)
        }
        pending.append(bytes)
    }

    /// The next whole message, or nil when more bytes are needed.
    mutating func next() throws(ArrowIPCError) -> Frame? {
        guard !ended else {
            if pending.readableBytes > 0 {
                throw ArrowIPCError.invalid("\(pending.readableBytes) bytes after the end-of-stream marker", at: position)
            }
            return nil
        }
        let available = pending.readableBytes
        let metadata: MessageMetadata, prefix: Int, metadataLength: Int
        if let waiting {
            (metadata, prefix, metadataLength) = waiting
        } else {
            guard let first = pending.int32(at: 0) else { return nil }
            if first == -1 {
                guard let length = pending.int32(at: 4) else { return nil }
                prefix = 8; metadataLength = Int(length)
            } else {
                prefix = 4; metadataLength = Int(first)             // legacy framing (before Arrow 0.15)
            }
            if metadataLength == 0 {
                pending.consume(prefix)
                position += prefix
                ended = true
                return .endOfStream
            }
            guard metadataLength > 0 else {
                throw ArrowIPCError.invalid("message metadata length \(metadataLength)", at: position)
            }
            guard available - prefix >= metadataLength,
                  let bytes = pending.contiguous(at: prefix, length: metadataLength) else { return nil }
            let base = position + prefix
            metadata = try bytes.withUnsafeReadableBytes { (raw) throws(ArrowIPCError) -> MessageMetadata in
                try MessageMetadata(parsing: raw, base: base)
            }
        }
        let total = prefix + metadataLength + metadata.bodyLength
        guard available >= total else {
            waiting = (metadata, prefix, metadataLength)
            return nil
        }
        waiting = nil
        let bodyOffset = position + prefix + metadataLength
        guard let body = pending.range(at: prefix + metadataLength, length: metadata.bodyLength) else {
            throw ArrowIPCError.truncated("message body", at: bodyOffset, need: metadata.bodyLength,
                                          have: available - prefix - metadataLength)
        }
        pending.consume(total)
        position += total
        return .message(metadata, body: body, bodyOffset: bodyOffset)
    }

    /// Throws when the input stopped inside a message.
    func finish() throws(ArrowIPCError) {
        guard pending.readableBytes == 0 else {
            let need = waiting.map { $0.prefix + $0.metadataLength + $0.metadata.bodyLength } ?? 8
            throw ArrowIPCError.truncated("stream ends inside a message", at: position, need: need, have: pending.readableBytes)
        }
    }
}
