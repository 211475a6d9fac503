public import NIOCore

/// Counts the rows of an Arrow IPC stream from its message metadata alone: bodies are framed and
/// skipped, never decoded or decompressed, so counting costs a flatbuffer parse per message.
///
/// It reads the stream through the same framing and metadata parser as ``StreamDecoder``: a stream
/// the counter accepts has well-formed messages in the decoder's order (one schema first), and a
/// stream cut inside a message, or with bytes after its end-of-stream marker, throws. What only
/// decoding can find (a body that does not match its buffers) is left to ``StreamDecoder``.
///
/// ```swift
/// let rows = try StreamRowCounter.count(pieces)
/// ```
public struct StreamRowCounter {
    private var framer = MessageFramer(gatherPiecesSmallerThan: ByteRope.defaultSmallPiece)
    private var sawSchema = false
    private var failure: ArrowIPCError?
    /// Rows in the record batches read so far.
    public private(set) var rows: Int64 = 0

    public init() {}

    /// True once the end-of-stream marker has been read.
    public var isFinished: Bool { framer.ended }

    /// Takes the next bytes of the stream and counts the record batches they completed.
    /// - Throws: ``ArrowIPCError`` for corrupt or unsupported metadata; later calls throw it again.
    public mutating func feed(_ bytes: ByteBuffer) throws(ArrowIPCError) {
        if let failure { throw failure }
        do {
            try framer.append(bytes)
            while let frame = try framer.next() {
                guard case let .message(metadata, _, bodyOffset) = frame else { continue }
                try count(metadata, at: bodyOffset)
            }
        } catch {
            failure = error
            throw error
        }
    }

    /// Declares the input complete; returns the rows counted.
    /// - Throws: when the stream stopped inside a message or before its schema.
    public mutating func finish() throws(ArrowIPCError) -> Int64 {
        if let failure { throw failure }
        try framer.finish()
        if !sawSchema && !framer.ended {
            throw ArrowIPCError(.truncated, "stream ended before its schema", offset: framer.position)
        }
        return rows
    }

    /// The rows of a whole stream held in memory, in pieces in stream order.
    public static func count(_ pieces: some Sequence<ByteBuffer>) throws(ArrowIPCError) -> Int64 {
        var counter = StreamRowCounter()
        for piece in pieces { try counter.feed(piece) }
        return try counter.finish()
    }

    private mutating func count(_ message: MessageMetadata, at bodyOffset: Int) throws(ArrowIPCError) {
        switch message.header {
        case .schema:
            guard !sawSchema else { throw ArrowIPCError.invalid("a second schema message", at: bodyOffset) }
            sawSchema = true
        case .dictionaryBatch:
            guard sawSchema else { throw ArrowIPCError.invalid("dictionary batch before the schema", at: bodyOffset) }
        case let .recordBatch(header):
            guard sawSchema else { throw ArrowIPCError.invalid("record batch before the schema", at: bodyOffset) }
            // Each length is bounded by the metadata parser, but a hostile stream may hold many.
            let (sum, overflow) = rows.addingReportingOverflow(Int64(header.length))
            guard !overflow else { throw ArrowIPCError.invalid("row count overflows", at: bodyOffset) }
            rows = sum
        }
    }
}
