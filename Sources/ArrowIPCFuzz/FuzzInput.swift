import NIOCore

/// How one fuzz input is split into pieces, the way a download delivers a body.
enum FuzzInput {
    /// Two cut points derived from the input's first bytes (none for inputs too short to split).
    static func cuts(_ input: UnsafeRawBufferPointer) -> [Int] {
        guard input.count > 4 else { return [] }
        let first = Int(input[0]) * input.count / 256, second = Int(input[1]) * input.count / 256
        return [min(first, second), max(first, second)]
    }

    /// `bytes` split at `cuts` (ascending), every piece its own buffer.
    static func pieces(_ bytes: ByteBuffer, cuts: [Int]) -> [ByteBuffer] {
        var pieces: [ByteBuffer] = []
        var start = 0
        for end in cuts + [bytes.readableBytes] where end >= start {
            if let piece = bytes.getSlice(at: bytes.readerIndex + start, length: end - start) { pieces.append(piece) }
            start = end
        }
        return pieces
    }
}
