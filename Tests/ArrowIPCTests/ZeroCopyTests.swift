import ArrowIPC
import NIOCore
import Testing

/// Batches keep slices of the bytes they were decoded from: no copy between the input and DuckDB.
@Suite struct ZeroCopyTests {
    static func addressRange(_ buffer: ByteBuffer) -> Range<UInt> {
        buffer.withUnsafeReadableBytes { raw in
            let start = UInt(bitPattern: raw.baseAddress)
            return start..<(start + UInt(raw.count))
        }
    }

    static func addressRange(_ buffer: ArrowBuffer) -> Range<UInt> {
        buffer.withUnsafeReadableBytes { raw in
            let start = UInt(bitPattern: raw.baseAddress)
            return start..<(start + UInt(raw.count))
        }
    }

    static func allBuffers(_ array: ArrayData) -> [ArrowBuffer] {
        array.buffers.compactMap { $0 } + array.children.flatMap(allBuffers) + (array.dictionary.map(allBuffers) ?? [])
    }

    /// The batch's own received buffers: not its dictionaries (they arrived in earlier messages) and
    /// not the variadic-sizes buffer of view arrays, which the C Data Interface adds (8 bytes per buffer).
    static func ownBuffers(_ array: ArrayData, _ field: ArrowField) -> [ArrowBuffer] {
        var buffers = array.buffers
        if field.type == .utf8View || field.type == .binaryView, field.dictionary == nil { buffers.removeLast() }
        return buffers.compactMap { $0 } + zip(array.children, field.children).flatMap { ownBuffers($0, $1) }
    }

    @Test func batchesDecodedFromOneBufferPointIntoIt() throws {
        // Bigger than 16 MiB, where NIO's own slices would start copying.
        var bytes = ByteBuffer()
        let nested = try Fixtures.bytes("nested.arrows")
        let (schema, _) = try StreamDecoder.decodeAll(nested)
        _ = schema
        bytes = try Self.repeatedStream(nested, times: 80)
        #expect(bytes.readableBytes > 16 << 20)
        let input = Self.addressRange(bytes)
        let (_, batches) = try StreamDecoder.decodeAll(bytes)
        var checked = 0
        for batch in batches {
            for buffer in batch.columns.flatMap(Self.allBuffers) {
                let range = Self.addressRange(buffer)
                #expect(input.contains(range.lowerBound) && range.upperBound <= input.upperBound)
                checked += 1
            }
        }
        #expect(checked > 20 * 80)
    }

    /// The stream's schema once, then its other messages `times` times (dictionary-free fixtures only).
    static func repeatedStream(_ stream: ByteBuffer, times: Int) throws -> ByteBuffer {
        // Message boundaries: continuation, int32 metadata length, metadata, body (bodyLength from the decoder's view).
        var boundaries: [Int] = [0]
        var decoder = StreamDecoder()
        for end in 1...stream.readableBytes {
            _ = try decoder.feed(stream.getSlice(at: end - 1, length: 1) ?? ByteBuffer())
            var probe = decoder
            if (try? probe.finish()) != nil { boundaries.append(end) }
        }
        // boundaries: [0, after schema, after batch 1, ..., after EOS]
        let schemaEnd = boundaries[1], batchesEnd = boundaries[boundaries.count - 2]
        var out = ByteBuffer()
        out.writeBytes(stream.getBytes(at: 0, length: schemaEnd) ?? [])
        let batches = stream.getBytes(at: schemaEnd, length: batchesEnd - schemaEnd) ?? []
        for _ in 0..<times { out.writeBytes(batches) }
        out.writeBytes(stream.getBytes(at: batchesEnd, length: stream.readableBytes - batchesEnd) ?? [])
        return out
    }

    @Test func databricksFramesReachTheDecoderWholeAndStayUncopied() throws {
        // Feed the LZ4-framed stream in 4 KiB pieces: every batch must lie inside the single buffer
        // the LZ4 decoder returned for its frame (its dictionaries inside earlier ones).
        var lz4 = LZ4FrameDecoder()
        var decoder = StreamDecoder()
        var batchCount = 0, zeroCopyBatches = 0
        for piece in try Fixtures.bytes("primitives-databricks.arrows.lz4").pieces(of: 4096) {
            let plain = try lz4.feed(piece)
            let range = Self.addressRange(plain)
            for batch in try decoder.feed(plain) {
                batchCount += 1
                // Pieces under 64 KiB are gathered (copied once) by design; the big frames must not be.
                guard plain.readableBytes >= 64 * 1024 else { continue }
                zeroCopyBatches += 1
                for buffer in zip(batch.columns, batch.schema.fields).flatMap({ Self.ownBuffers($0, $1) }) {
                    let inner = Self.addressRange(buffer)
                    #expect(range.contains(inner.lowerBound) && inner.upperBound <= range.upperBound)
                }
            }
        }
        try lz4.finish()
        try decoder.finish()
        #expect(batchCount == 3)
        #expect(zeroCopyBatches >= 1)
    }

    @Test func lz4DecoderReturnsOnlyCompleteFrames() throws {
        var lz4 = LZ4FrameDecoder()
        var sizes: [Int] = []
        for piece in try Fixtures.bytes("lz4-frames.bin").pieces(of: 100) {
            let output = try lz4.feed(piece)
            if output.readableBytes > 0 { sizes.append(output.readableBytes) }
        }
        try lz4.finish()
        // Frames of 20,000 and 23,000 bytes (and an empty one): each arrives in one piece.
        #expect(sizes == [20_000, 23_000])
    }
}
