import ArrowIPC
import Foundation
import NIOCore
import Testing

/// Row counts from message headers: the same rows the decoder finds, and the same strictness about
/// framing and message order, without decoding a body.
@Suite struct StreamRowCounterTests {
    static let endOfStream: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]

    /// The bytes of a stream's first message (continuation marker, length, metadata; a schema has no body).
    static func schemaMessage(_ bytes: ByteBuffer) -> ByteBuffer {
        let length = Int(bytes.getInteger(at: bytes.readerIndex + 4, endianness: .little, as: Int32.self) ?? 0)
        return bytes.getSlice(at: bytes.readerIndex, length: 8 + length) ?? ByteBuffer()
    }

    @Test(arguments: FixtureStreams.names)
    func countsWhatTheDecoderDecodes(_ name: String) throws {
        let bytes = try FixtureStreams.arrowBytes(name)
        let (_, batches) = try StreamDecoder.decodeAll(bytes)
        let rows = batches.reduce(0) { $0 + Int64($1.length) }
        #expect(rows > 0)
        #expect(try StreamRowCounter.count([bytes]) == rows)
        // In pieces that cut through prefixes, metadata and bodies alike; the largest are kept
        // as they are rather than gathered, so metadata straddles kept pieces.
        for size in [13, 4099, 70_001] {
            #expect(try StreamRowCounter.count(bytes.pieces(of: size)) == rows, "pieces of \(size)")
        }
    }

    @Test func countsDatabricksFramesAsTheyArrive() throws {
        // One LZ4 frame per IPC message: each frame is a piece, as the downloader hands them on.
        var lz4 = LZ4FrameDecoder()
        var counter = StreamRowCounter()
        for piece in try Fixtures.bytes("primitives-databricks.arrows.lz4").pieces(of: 4096) {
            for frame in try lz4.frames(piece) { try counter.feed(frame) }
        }
        try lz4.finish()
        #expect(counter.isFinished)
        let (_, batches) = try StreamDecoder.decodeAll(try FixtureStreams.arrowBytes("primitives-databricks.arrows.lz4"))
        #expect(try counter.finish() == batches.reduce(0) { $0 + Int64($1.length) })
    }

    @Test func everyPrefixIsAcceptedExactlyWhenTheDecoderAcceptsIt() throws {
        let bytes = try Fixtures.bytes("dictionary-deltas.arrows")
        var boundaries = 0
        for cut in 0...bytes.readableBytes {
            let prefix = bytes.getSlice(at: 0, length: cut) ?? ByteBuffer()
            let decoded = try? StreamDecoder.decodeAll(prefix)
            let counted = try? StreamRowCounter.count([prefix])
            #expect(counted == decoded.map { $0.1.reduce(0) { $0 + Int64($1.length) } }, "cut at \(cut)")
            if counted != nil { boundaries += 1 }
        }
        #expect(boundaries >= 5)   // schema, dictionaries, batches, end of stream
    }

    @Test func aStreamCutInsideAMessageThrows() throws {
        let bytes = try Fixtures.bytes("primitives.arrows")
        let cut = bytes.getSlice(at: 0, length: bytes.readableBytes / 2) ?? ByteBuffer()
        let error = #expect(throws: ArrowIPCError.self) { try StreamRowCounter.count([cut]) }
        #expect(error?.kind == .truncated)
        #expect(throws: ArrowIPCError.self) { try StreamRowCounter.count([ByteBuffer(bytes: [0x01])]) }
        // A metadata length the bytes cannot hold.
        #expect(throws: ArrowIPCError.self) {
            try StreamRowCounter.count([ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x40, 0, 0, 0, 1])])
        }
        #expect(throws: ArrowIPCError.self) {
            try StreamRowCounter.count([ByteBuffer(bytes: [0xFF, 0xFF]), ByteBuffer(bytes: [0x40, 0, 0, 0, 1])])
        }
        #expect(throws: ArrowIPCError.self) { try StreamRowCounter.count([ByteBuffer()]) }
    }

    @Test func anEndOfStreamMarkerAloneIsAnEmptyStream() throws {
        var counter = StreamRowCounter()
        try counter.feed(ByteBuffer(bytes: Self.endOfStream.prefix(4)))
        #expect(!counter.isFinished)
        try counter.feed(ByteBuffer(bytes: Self.endOfStream.suffix(4)))   // the marker split across pieces
        #expect(counter.isFinished)
        #expect(try counter.finish() == 0)
    }

    @Test func messagesOutOfOrderOrAfterTheEndThrow() throws {
        let bytes = try Fixtures.bytes("primitives.arrows")
        let schema = Self.schemaMessage(bytes)
        let rest = bytes.getSlice(at: schema.readableBytes, length: bytes.readableBytes - schema.readableBytes) ?? ByteBuffer()
        let noSchema = #expect(throws: ArrowIPCError.self) { try StreamRowCounter.count([rest]) }
        #expect(noSchema?.message.contains("before the schema") == true)
        let twoSchemas = #expect(throws: ArrowIPCError.self) { try StreamRowCounter.count([schema, bytes]) }
        #expect(twoSchemas?.message.contains("second schema") == true)
        let trailing = #expect(throws: ArrowIPCError.self) { try StreamRowCounter.count([bytes, ByteBuffer(bytes: [0])]) }
        #expect(trailing?.message.contains("after the end-of-stream marker") == true)
        // The decoder rejects the same streams.
        #expect(throws: ArrowIPCError.self) { try StreamDecoder.decodeAll(rest) }
        #expect(throws: ArrowIPCError.self) { try StreamDecoder.decodeAll(ByteBuffer(buffers: [schema, bytes])) }
    }

    @Test func anErrorIsRepeated() throws {
        var counter = StreamRowCounter()
        #expect(throws: ArrowIPCError.self) { try counter.feed(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0, 0, 0x80])) }
        #expect(throws: ArrowIPCError.self) { try counter.feed(ByteBuffer(bytes: Self.endOfStream)) }
        #expect(throws: ArrowIPCError.self) { try counter.finish() }
    }

    @Test func bodiesAreNotDecompressed() throws {
        // A compressed body whose bytes are garbage still counts: only the headers are read.
        let bytes = try Fixtures.bytes("primitives-lz4.arrows")
        let (_, batches) = try StreamDecoder.decodeAll(bytes)
        var corrupted = bytes
        let schema = Self.schemaMessage(bytes).readableBytes
        let batchMetadata = Int(bytes.getInteger(at: schema + 4, endianness: .little, as: Int32.self) ?? 0)
        let body = schema + 8 + batchMetadata
        corrupted.setBytes([UInt8](repeating: 0xAB, count: 32), at: body + 8)
        #expect(throws: ArrowIPCError.self) { try StreamDecoder.decodeAll(corrupted) }
        #expect(try StreamRowCounter.count([corrupted]) == batches.reduce(0) { $0 + Int64($1.length) })
    }
}

extension ByteBuffer {
    /// The buffers one after the other.
    init(buffers: [ByteBuffer]) {
        self.init()
        for var buffer in buffers { writeBuffer(&buffer) }
    }
}
