import ArrowIPC
import NIOCore

/// Databricks' LZ4 framing: decompressed whole (inline attachments) and frame by frame from pieces
/// (downloads, with and without checksum verification); what decompresses goes on as an Arrow stream.
enum LZ4FrameTarget {
    static func run(_ input: ByteBuffer, cuts: [Int]) {
        let whole = try? LZ4FrameDecoder.decompressAll(input)
        for verify in [true, false] {
            var decoder = LZ4FrameDecoder(verifyChecksums: verify)
            var frames: [ByteBuffer] = []
            do {
                for piece in FuzzInput.pieces(input, cuts: cuts) { frames += try decoder.frames(piece) }
                try decoder.finish()
            } catch {
                precondition(!error.description.isEmpty)
                continue
            }
            // However the input is split, and whether or not checksums are read, a body that
            // decompresses both ways holds the same bytes.
            if let whole {
                var joined = ByteBuffer()
                for var frame in frames { joined.writeBuffer(&frame) }
                precondition(joined == whole, "frame-by-frame output differs from the whole-body output")
            }
            if verify { ArrowStreamTarget.run(frames, gather: false) }
        }
        if let whole { ArrowStreamTarget.run([whole], gather: true) }
    }
}
