internal import CLZ4
public import NIOCore
import Synchronization

/// Decompresses Databricks' LZ4 framing: a body made of concatenated, independent LZ4 frames
/// (one per IPC message), fed in pieces as a download progresses.
///
/// ```swift
/// var lz4 = LZ4FrameDecoder()
/// for try await piece in body { batches += try arrow.feed(try lz4.feed(piece)) }
/// try lz4.finish()
/// ```
///
/// Uses liblz4's frame API (`LZ4F_decompress`), which validates frame headers and, when the frame
/// carries them, block and content checksums. A copy of this struct shares the decompression
/// context with the original: feed only one of them.
public struct LZ4FrameDecoder {
    private let context: LZ4DecompressionContext
    /// Decompressed bytes not yet returned: the frame in progress, written in place as it grows.
    private var carry = ByteBuffer()
    /// Compressed bytes consumed so far, for error offsets.
    private var consumed = 0
    /// True between the first byte of a frame and its end.
    private var insideFrame = false
    /// liblz4 needs a reset after an error; we stop instead and repeat the first error.
    private var failure: ArrowIPCError?
    /// A frame still in progress is handed out once it holds this many bytes (generic LZ4 input
    /// with one huge frame); Databricks' frames are one IPC message each and stay whole.
    public var partialFrameLimit = 64 << 20

    /// Whether block and content checksums are computed and compared (when the frame has them).
    public let verifiesChecksums: Bool

    /// - Parameter verifyChecksums: false skips the checksums, for input whose transport already
    ///   authenticates every byte (TLS): they cost about two thirds of the decompression time.
    public init(verifyChecksums: Bool = true) {
        context = LZ4DecompressionContext()
        verifiesChecksums = verifyChecksums
    }

    /// Decompressed bytes of the frame in progress (what the decoder holds between calls).
    public var pendingBytes: Int { carry.readableBytes }

    /// Decompresses `bytes` and returns the decompressed bytes of the frames they completed (possibly
    /// none). Each frame is decompressed into one contiguous buffer, so a Databricks frame, one IPC
    /// message, reaches ``StreamDecoder`` whole and is sliced there without another copy.
    /// - Throws: ``ArrowIPCError`` of kind `.decompression` for corrupt input; later calls throw it again.
    public mutating func feed(_ bytes: ByteBuffer) throws(ArrowIPCError) -> ByteBuffer {
        var completeBytes: Int?                        // readable bytes of carry that end a frame
        var carry = self.carry
        self.carry = ByteBuffer()                      // keep `carry` uniquely referenced while writing
        defer { self.carry = carry }                   // on error too: later calls throw before using it
        try decompress(bytes, into: &carry, prepare: { buffer, inputCount in
            // Doubling; large buffers grow with realloc, which the allocator can do in place.
            if buffer.writableBytes < 64 * 1024 {
                buffer.reserveCapacity(minimumWritableBytes: max(64 * 1024, buffer.readableBytes, inputCount * 2))
            }
        }, frameEnded: { buffer in completeBytes = buffer.readableBytes })
        if !insideFrame || carry.readableBytes >= partialFrameLimit {
            defer { carry = ByteBuffer() }             // everything: nothing stays behind
            return carry
        }
        guard let completeBytes, let complete = carry.readSlice(length: completeBytes) else { return ByteBuffer() }
        return complete                                 // the next frame's first bytes stay; copied once on the next write
    }

    /// Decompresses `bytes` and returns each frame they completed as a buffer of its own, in order;
    /// a frame still in progress stays here until a later call completes it.
    ///
    /// One buffer per frame means one per IPC message in Databricks' framing, so a record batch
    /// decoded from it owns its memory and frees it alone. liblz4 writes each block straight into
    /// the frame's buffer: room for a whole block (4 MiB) is kept free, so frames grow by `realloc`
    /// a block at a time; the slack is never written (and, mmapped, never resident). Frame buffers
    /// come from ``FrameBufferPool``, which recycles freed ones.
    /// - Throws: ``ArrowIPCError`` of kind `.decompression` for corrupt input; later calls throw it again.
    public mutating func frames(_ bytes: ByteBuffer) throws(ArrowIPCError) -> [ByteBuffer] {
        var done: [ByteBuffer] = []
        var current = carry
        carry = ByteBuffer()                           // keep `current` uniquely referenced while writing
        defer { carry = current }
        try decompress(bytes, into: &current, prepare: { buffer, _ in
            if buffer.capacity == 0 {
                buffer = FrameBufferPool.allocator.buffer(capacity: 4 << 20)   // a recycled frame when one is free
            } else if buffer.writableBytes < 4 << 20 {
                buffer.reserveCapacity(minimumWritableBytes: 4 << 20)
            }
        }, frameEnded: { buffer in
            if buffer.readableBytes < FrameBufferPool.minimumPooledBytes {
                // A small frame (a schema, the end of stream) must not pin a frame-sized buffer
                // for as long as its message lives: copy it out, and the buffer goes back to the pool.
                done.append(ByteBuffer(buffer: buffer))
            } else {
                done.append(buffer)                    // a frame ended: hand it out whole
            }
            buffer = ByteBuffer()
        })
        return done
    }

    /// The loop both entry points share: `LZ4F_decompress` from `bytes` into `output`'s free space,
    /// `prepare` making room before each call, `frameEnded` told when a frame completes.
    private mutating func decompress(_ bytes: ByteBuffer, into output: inout ByteBuffer,
                                     prepare: (inout ByteBuffer, Int) -> Void,
                                     frameEnded: (inout ByteBuffer) -> Void) throws(ArrowIPCError) {
        if let failure { throw failure }
        guard let dctx = context.raw else {
            throw ArrowIPCError(.decompression, "could not create an LZ4 decompression context")
        }
        var error: ArrowIPCError?
        var options = LZ4F_decompressOptions_t()
        options.skipChecksums = verifiesChecksums ? 0 : 1
        bytes.withUnsafeReadableBytes { input in
            var offset = 0
            while true {
                prepare(&output, input.count)
                var srcSize = input.count - offset
                var produced = 0, code = 0, room = 0
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { out -> Int in
                    room = out.count
                    var dstSize = out.count
                    // `input.baseAddress` is nil only when the input is empty; LZ4F accepts (NULL, 0).
                    let src = input.baseAddress.map { $0 + offset }
                    code = LZ4F_decompress(dctx, out.baseAddress, &dstSize, src, &srcSize, &options)
                    produced = LZ4F_isError(code) != 0 ? 0 : dstSize
                    return produced
                }
                if LZ4F_isError(code) != 0 {
                    context.atFrameBoundary = false
                    let name = LZ4F_getErrorName(code).map { String(cString: $0) } ?? "unknown error"
                    error = ArrowIPCError(.decompression, "LZ4 frame: \(name)", offset: consumed + offset)
                    return
                }
                offset += srcSize
                let progressed = srcSize > 0 || produced > 0
                if progressed { insideFrame = code != 0; context.atFrameBoundary = code == 0 }
                if progressed && code == 0 { frameEnded(&output) }
                // Done when all input is consumed and nothing can be pending in liblz4: it had room
                // to spare, or the frame ended.
                if offset >= input.count && (produced < room || code == 0) { break }
                if !progressed { break }
            }
            consumed += offset
        }
        if let error { failure = error; throw error }
    }

    /// Throws when the input ended inside a frame.
    public mutating func finish() throws(ArrowIPCError) {
        if let failure { throw failure }
        if insideFrame {
            throw ArrowIPCError(.truncated, "LZ4 frame cut short: the input ended inside a frame", offset: consumed)
        }
    }

    /// Decompresses a whole LZ4-framed body at once.
    public static func decompressAll(_ bytes: ByteBuffer) throws(ArrowIPCError) -> ByteBuffer {
        var decoder = LZ4FrameDecoder()
        let output = try decoder.feed(bytes)
        try decoder.finish()
        return output
    }
}

/// Owns one `LZ4F_dctx` until `deinit`, which hands it back for the next decoder.
///
/// A context keeps its input buffer (up to a block, 4 MiB) once allocated; creating one per
/// downloaded chunk meant a fresh mapping, filled a page at a time, for every chunk. Up to
/// `maximumIdle` idle contexts are kept for reuse, but only one that ended between frames: a reset
/// does not clear all of a frame's state (a declared content size still counting down would fail
/// the next frame), so a context left inside a frame or after an error is freed.
final class LZ4DecompressionContext {
    let raw: OpaquePointer?
    /// Set by the user: true while no frame is in progress and no error occurred.
    var atFrameBoundary = true

    private static let maximumIdle = 8
    /// Idle contexts, as addresses (plain integers keep the lock's state Sendable).
    private static let idle = Mutex<[UInt]>([])

    init() {
        if let address = Self.idle.withLock({ $0.popLast() }) {
            raw = OpaquePointer(bitPattern: address)
            return
        }
        var dctx: OpaquePointer?
        let code = LZ4F_createDecompressionContext(&dctx, UInt32(LZ4F_VERSION))
        raw = LZ4F_isError(code) != 0 ? nil : dctx
    }

    deinit {
        guard let raw else { return }
        guard atFrameBoundary else { LZ4F_freeDecompressionContext(raw); return }
        LZ4F_resetDecompressionContext(raw)
        let address = UInt(bitPattern: raw)
        let kept = Self.idle.withLock { list -> Bool in
            guard list.count < Self.maximumIdle else { return false }
            list.append(address)
            return true
        }
        if !kept { LZ4F_freeDecompressionContext(raw) }
    }
}
