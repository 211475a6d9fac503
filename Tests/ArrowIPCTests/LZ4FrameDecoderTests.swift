import ArrowIPC
import NIOCore
import Testing

@Suite struct LZ4FrameDecoderTests {
    @Test func decompressesConcatenatedFramesWhole() throws {
        let output = try LZ4FrameDecoder.decompressAll(try Fixtures.bytes("lz4-frames.bin"))
        #expect(output.array == Array(try Fixtures.data("lz4-frames.plain")))
    }

    @Test func decompressesOneByteAtATime() throws {
        var decoder = LZ4FrameDecoder()
        var output = ByteBuffer()
        for piece in try Fixtures.bytes("lz4-frames.bin").pieces(of: 1) {
            var produced = try decoder.feed(piece)
            output.writeBuffer(&produced)
        }
        try decoder.finish()
        #expect(output.array == Array(try Fixtures.data("lz4-frames.plain")))
    }

    @Test func framesComeOutOneBufferEach() throws {
        // Databricks' framing: one LZ4 frame per IPC message (schema, batches, end of stream).
        let compressed = try Fixtures.bytes("primitives-databricks.arrows.lz4")
        let whole = try LZ4FrameDecoder.decompressAll(compressed)
        for size in [1, 1000, 1 << 30] {
            var decoder = LZ4FrameDecoder()
            var frames: [ByteBuffer] = []
            for piece in compressed.pieces(of: size) { frames += try decoder.frames(piece) }
            try decoder.finish()
            #expect(frames.count >= 3, "schema, at least one batch, end of stream")
            #expect(frames.flatMap(\.array) == whole.array, "pieces of \(size)")
            // Each frame is whole messages: the stream decodes frame by frame to the same batches.
            var stream = StreamDecoder()
            var rows = 0
            for frame in frames { rows += try stream.feed(frame).reduce(0) { $0 + $1.length } }
            try stream.finish()
            #expect(rows == (try StreamDecoder.decodeAll(whole)).1.reduce(0) { $0 + $1.length })
        }
        var cut = LZ4FrameDecoder()
        _ = try cut.frames(compressed.getSlice(at: 0, length: compressed.readableBytes - 3)!)
        #expect(throws: ArrowIPCError.self) { try cut.finish() }
    }

    @Test func checksumsAreVerifiedUnlessTurnedOff() throws {
        // Frames of this fixture carry a content checksum (FLG 0x6c), except the last (0x68); the
        // second to last ends at byte 413,005 with its checksum: flip one bit of it.
        var bytes = try Fixtures.bytes("primitives-databricks.arrows.lz4")
        let checksumByte = 413_004
        #expect(bytes.readableBytes == 413_036)
        bytes.setInteger(bytes.getInteger(at: checksumByte, as: UInt8.self)! ^ 0x01, at: checksumByte)
        var verifying = LZ4FrameDecoder()
        #expect(verifying.verifiesChecksums)
        let error = #expect(throws: ArrowIPCError.self) { _ = try verifying.frames(bytes) }
        #expect(error?.kind == .decompression)
        var trusting = LZ4FrameDecoder(verifyChecksums: false)
        let frames = try trusting.frames(bytes)
        try trusting.finish()
        let plain = try LZ4FrameDecoder.decompressAll(try Fixtures.bytes("primitives-databricks.arrows.lz4"))
        #expect(frames.flatMap(\.array) == plain.array)
    }

    @Test func finishThrowsWhenCutInsideAFrame() throws {
        let bytes = try Fixtures.bytes("lz4-frames.bin")
        var decoder = LZ4FrameDecoder()
        _ = try decoder.feed(bytes.getSlice(at: 0, length: bytes.readableBytes / 2) ?? ByteBuffer())
        #expect(throws: ArrowIPCError.self) { try decoder.finish() }
    }

    @Test func corruptBlockIsAnError() throws {
        var bytes = try Fixtures.bytes("lz4-frames.bin")
        bytes.setInteger(bytes.getInteger(at: 40, as: UInt8.self)! ^ 0x5A, at: 40)
        #expect(throws: ArrowIPCError.self) { _ = try LZ4FrameDecoder.decompressAll(bytes) }
    }

    @Test func garbageIsAnErrorNotACrash() throws {
        let error = #expect(throws: ArrowIPCError.self) {
            _ = try LZ4FrameDecoder.decompressAll(ByteBuffer(bytes: [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]))
        }
        #expect(error?.kind == .decompression)
    }
}
