public import NIOCore

/// Decodes an Arrow IPC **stream** (the streaming format: encapsulated messages, Schema first,
/// then DictionaryBatch and RecordBatch messages, then end-of-stream), incrementally.
///
/// Feed the bytes as they arrive; each call returns the record batches those bytes completed.
/// The fed buffers are kept as they are (never joined), and each Arrow buffer of a batch points
/// into the piece that holds it: no copy, except for the few Arrow buffers that straddle two pieces
/// (copied once, exactly their size) and for compressed bodies (decompressed once).
///
/// ```swift
/// var decoder = StreamDecoder()
/// for try await piece in download { for batch in try decoder.feed(piece) { try ingest(batch) } }
/// try decoder.finish()
/// ```
///
/// Accepts continuation-marker framing (`0xFFFFFFFF`, length) and the legacy 4-byte length prefix,
/// metadata V4 and V5, LZ4_FRAME and ZSTD body compression, and dictionary replacement and deltas.
public struct StreamDecoder {
    private var framer = MessageFramer(gatherPiecesSmallerThan: ByteRope.defaultSmallPiece)
    private var decodedSchema: ArrowSchemaDescription?
    /// The value field of each dictionary id (the encoded field without its encoding).
    private var dictionaryFields: [Int64: ArrowField] = [:]
    private var dictionaries: [Int64: ArrayData] = [:]
    /// The first error; the decoder's state is undefined after it, so every later call repeats it.
    private var failure: ArrowIPCError?
    /// Largest buffer a compressed body may inflate to.
    public let maximumDecompressedBufferBytes: Int

    public init() { self.init(maximumDecompressedBufferBytes: 1 << 32) }

    /// - Parameters:
    ///   - maximumDecompressedBufferBytes: refuse compressed buffers that declare more (a hostile
    ///     header could otherwise ask for any allocation).
    ///   - gatherPiecesSmallerThan: fed pieces smaller than this are copied together rather than
    ///     kept one by one (0 keeps every piece; tests and the fuzzer use it to put piece boundaries
    ///     everywhere).
    public init(maximumDecompressedBufferBytes: Int, gatherPiecesSmallerThan: Int = ByteRope.defaultSmallPiece) {
        self.maximumDecompressedBufferBytes = maximumDecompressedBufferBytes
        framer = MessageFramer(gatherPiecesSmallerThan: gatherPiecesSmallerThan)
    }

    /// The stream's schema, once its Schema message has arrived.
    public var schema: ArrowSchemaDescription? { decodedSchema }

    /// True once the end-of-stream marker has been read.
    public var isFinished: Bool { framer.ended }

    /// Takes the next bytes of the stream; returns the record batches they completed, in order.
    /// - Throws: ``ArrowIPCError`` for corrupt or unsupported input. The decoder is then unusable.
    public mutating func feed(_ bytes: ByteBuffer) throws(ArrowIPCError) -> [RecordBatch] {
        if let failure { throw failure }
        do {
            return try consume(bytes)
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func consume(_ bytes: ByteBuffer) throws(ArrowIPCError) -> [RecordBatch] {
        try framer.append(bytes)                               // no copy: batches point into the pieces
        var batches: [RecordBatch] = []
        while let frame = try framer.next() {
            if case let .message(metadata, body, bodyOffset) = frame,
               let batch = try handle(metadata, body: body, bodyOffset: bodyOffset) {
                batches.append(batch)
            }
        }
        return batches
    }

    /// Declares the input complete.
    /// - Throws: when the stream stopped inside a message. A stream cut exactly between messages
    ///   (no end-of-stream marker) is accepted: the batches before the cut were already returned.
    public mutating func finish() throws(ArrowIPCError) {
        if let failure { throw failure }
        try framer.finish()
        if decodedSchema == nil && !framer.ended {
            throw ArrowIPCError(.truncated, "stream ended before its schema", offset: framer.position)
        }
    }

    /// Decodes a whole stream held in memory.
    public static func decodeAll(_ bytes: ByteBuffer) throws(ArrowIPCError) -> (ArrowSchemaDescription, [RecordBatch]) {
        var decoder = StreamDecoder()
        let batches = try decoder.feed(bytes)
        try decoder.finish()
        guard let schema = decoder.schema else { throw ArrowIPCError(.invalid, "stream has no schema", offset: 0) }
        return (schema, batches)
    }

    // MARK: Messages

    private mutating func handle(_ message: MessageMetadata, body: RopeRange, bodyOffset: Int) throws(ArrowIPCError) -> RecordBatch? {
        switch message.header {
        case let .schema(schema):
            guard decodedSchema == nil else { throw ArrowIPCError.invalid("a second schema message", at: bodyOffset) }
            var fields: [Int64: ArrowField] = [:]
            try Self.collectDictionaryFields(schema.fields, into: &fields, at: bodyOffset)
            dictionaryFields = fields
            decodedSchema = schema
            return nil
        case let .dictionaryBatch(id, isDelta, header):
            guard decodedSchema != nil else { throw ArrowIPCError.invalid("dictionary batch before the schema", at: bodyOffset) }
            guard let field = dictionaryFields[id] else {
                throw ArrowIPCError.invalid("dictionary batch for id \(id), which no field uses", at: bodyOffset)
            }
            var loader = BodyLoader(header: header, body: body, bodyOffset: bodyOffset, version: message.version,
                                    dictionaries: dictionaries, decompressionLimit: maximumDecompressedBufferBytes)
            let values = try loader.loadColumns([field])[0]
            if isDelta, let existing = dictionaries[id] {
                dictionaries[id] = try DictionaryConcatenation.concatenate(existing, values, field: field, at: bodyOffset)
            } else {
                dictionaries[id] = values
            }
            return nil
        case let .recordBatch(header):
            guard let schema = decodedSchema else { throw ArrowIPCError.invalid("record batch before the schema", at: bodyOffset) }
            var loader = BodyLoader(header: header, body: body, bodyOffset: bodyOffset, version: message.version,
                                    dictionaries: dictionaries, decompressionLimit: maximumDecompressedBufferBytes)
            let columns = try loader.loadColumns(schema.fields)
            return RecordBatch(length: header.length, schema: schema, columns: columns)
        }
    }

    private static func collectDictionaryFields(_ fields: [ArrowField], into map: inout [Int64: ArrowField], at: Int) throws(ArrowIPCError) {
        for field in fields {
            if let encoding = field.dictionary {
                var values = field
                values.dictionary = nil
                values.name = ""
                values.metadata = []
                if let known = map[encoding.id], known != values {
                    throw ArrowIPCError.invalid("dictionary id \(encoding.id) is used by fields of different types", at: at)
                }
                map[encoding.id] = values
            }
            try collectDictionaryFields(field.children, into: &map, at: at)
        }
    }
}
