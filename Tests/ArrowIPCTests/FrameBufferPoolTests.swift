@testable import ArrowIPC
import NIOCore
import Testing

@Suite struct FrameBufferPoolTests {
    @Test func aFreedFrameServesTheNextOneOfItsSize() throws {
        let pool = FrameBufferPool(maximumKept: 2)
        let first = try #require(pool.take(4 << 20))
        pool.give(first)
        #expect(pool.keptCount == 1)
        let second = try #require(pool.take(3 << 20))
        #expect(second == first, "the kept buffer is big enough, so it is reused")
        #expect(pool.keptCount == 0)
        #expect(pool.statistics.reused == 1 && pool.statistics.allocated == 1)
        // it has room for the size it was first allocated with: growing to it does not move it
        #expect(pool.resize(second, to: 4 << 20) == second)
        pool.give(second)
        pool.drain()
        #expect(pool.keptCount == 0)
    }

    @Test func keepsAtMostItsLimitAndNeitherSmallNorHugeBuffers() throws {
        let pool = FrameBufferPool(maximumKept: 2)
        let frames = (0..<3).compactMap { _ in pool.take(2 << 20) }
        #expect(frames.count == 3)
        for frame in frames { pool.give(frame) }
        #expect(pool.keptCount == 2, "the third is freed")
        pool.drain()
        pool.give(try #require(pool.take(64 << 10)))        // malloc serves these well
        pool.give(try #require(pool.take(64 << 20)))        // beyond maximumPooledBytes
        #expect(pool.keptCount == 0)
        // a request bigger than every kept buffer is a new allocation
        pool.give(try #require(pool.take(2 << 20)))
        let bigger = try #require(pool.take(8 << 20))
        #expect(pool.keptCount == 1)
        pool.give(bigger)
        pool.drain()
    }

    @Test func recycledFramesHoldOnlyTheirOwnBytes() throws {
        // Decode the same stream repeatedly: later frames land in buffers earlier frames used and
        // must come out identical, byte for byte.
        let compressed = try Fixtures.bytes("primitives-databricks.arrows.lz4")
        let whole = try LZ4FrameDecoder.decompressAll(compressed)
        for _ in 0..<6 {
            var decoder = LZ4FrameDecoder()
            var frames: [ByteBuffer] = []
            for piece in compressed.pieces(of: 4096) { frames += try decoder.frames(piece) }
            try decoder.finish()
            #expect(frames.flatMap(\.array) == whole.array)
        }
    }

    @Test func smallFramesDoNotPinAFrameSizedBuffer() throws {
        // The schema and end-of-stream frames are a few hundred bytes; each is copied into a buffer
        // of its own size, so a schema message kept for a whole chunk holds no 4 MiB frame buffer.
        var decoder = LZ4FrameDecoder()
        let frames = try decoder.frames(try Fixtures.bytes("primitives-databricks.arrows.lz4"))
        try decoder.finish()
        let small = frames.filter { $0.readableBytes < FrameBufferPool.minimumPooledBytes }
        #expect(!small.isEmpty)
        #expect(small.allSatisfy { $0.capacity <= max(4096, 2 * $0.readableBytes) },
                "\(small.map { ($0.readableBytes, $0.capacity) })")
    }

    @Test func aDecoderAfterAFailedOneStartsClean() throws {
        // Contexts are recycled: one dropped after an error, or in the middle of a frame, must not
        // leave its state to the next decoder that gets it.
        let compressed = try Fixtures.bytes("primitives-databricks.arrows.lz4")
        let whole = try LZ4FrameDecoder.decompressAll(compressed)
        var corrupt = compressed
        corrupt.setInteger(corrupt.getInteger(at: 40, as: UInt8.self)! ^ 0x5A, at: 40)
        for _ in 0..<10 {
            do {
                var failing = LZ4FrameDecoder()
                _ = try? failing.frames(corrupt)
                var halfway = LZ4FrameDecoder()
                _ = try halfway.frames(compressed.getSlice(at: 0, length: 1000)!)
            }
            var decoder = LZ4FrameDecoder()
            let frames = try decoder.frames(compressed)
            try decoder.finish()
            #expect(frames.flatMap(\.array) == whole.array)
            // This fixture's frames declare their content size, which a reset leaves counting down:
            // a context dropped halfway must not reach the IPC body decompression, whose frames
            // (pyarrow's) declare none.
            var halfway = LZ4FrameDecoder()
            _ = try halfway.frames(compressed.getSlice(at: 0, length: 1000)!)
            halfway = LZ4FrameDecoder()
            _ = try StreamDecoder.decodeAll(try Fixtures.bytes("primitives-lz4.arrows"))
        }
    }
}
