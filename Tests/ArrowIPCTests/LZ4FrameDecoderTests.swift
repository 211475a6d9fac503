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

    @Test func decompressesIntoOneBufferInAnyPieces() throws {
        let plain = Array(try Fixtures.data("lz4-frames.plain"))
        for size in [1, 7, 4096, 1 << 30] {
            var decoder = LZ4FrameDecoder()
            var output = ByteBuffer()
            output.reserveCapacity(plain.count)          // as the download does, from the manifest
            let start = output.capacity
            for piece in try Fixtures.bytes("lz4-frames.bin").pieces(of: size) {
                try decoder.decompress(piece, into: &output)
            }
            try decoder.finish()
            #expect(output.array == plain, "pieces of \(size)")
            #expect(output.capacity == start, "the reserved buffer was enough: no regrowth")
        }
        // Cut inside a frame, and corrupt: the same errors as `feed`.
        let bytes = try Fixtures.bytes("lz4-frames.bin")
        var cut = LZ4FrameDecoder(), sink = ByteBuffer()
        try cut.decompress(bytes.getSlice(at: 0, length: bytes.readableBytes / 2)!, into: &sink)
        #expect(throws: ArrowIPCError.self) { try cut.finish() }
        var corrupt = bytes
        corrupt.setInteger(corrupt.getInteger(at: 40, as: UInt8.self)! ^ 0x5A, at: 40)
        var bad = LZ4FrameDecoder()
        #expect(throws: ArrowIPCError.self) { try bad.decompress(corrupt, into: &sink) }
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
