internal import CLZ4
internal import CZstd
import NIOCore

/// Decompresses one IPC body buffer (Message.fbs `BodyCompression`): an int64 uncompressed length,
/// then the compressed bytes; a length of -1 means "stored uncompressed".
enum BodyDecompression {
    static func decompress(_ buffer: ArrowBuffer, codec: CompressionCodec, limit: Int, at offset: Int) throws(ArrowIPCError) -> ArrowBuffer {
        guard buffer.readableBytes >= 8 else {
            throw ArrowIPCError.truncated("compressed buffer prefix", at: offset, need: 8, have: buffer.readableBytes)
        }
        guard let declared = buffer.getInteger(at: buffer.readerIndex, endianness: .little, as: Int64.self) else {
            throw ArrowIPCError.truncated("compressed buffer prefix", at: offset, need: 8, have: buffer.readableBytes)
        }
        guard let payload = buffer.getSlice(at: 8, length: buffer.readableBytes - 8) else {
            throw ArrowIPCError.truncated("compressed buffer", at: offset, need: 8, have: buffer.readableBytes)
        }
        if declared == -1 { return payload }
        guard declared >= 0, declared <= Int64(limit) else {
            throw ArrowIPCError.invalid("compressed buffer declares \(declared) uncompressed bytes (limit \(limit))", at: offset)
        }
        let expected = Int(declared)
        if expected == 0 { return payload.getSlice(at: 0, length: 0) ?? payload }
        var output = ByteBufferAllocator().buffer(capacity: expected)
        var failure: ArrowIPCError?
        _ = payload.withUnsafeReadableBytes { input in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: expected) { out -> Int in
                let destination = UnsafeMutableRawBufferPointer(rebasing: out[0..<expected])
                switch codec {
                case .zstd:
                    let result = ZSTD_decompress(destination.baseAddress, expected, input.baseAddress, input.count)
                    if ZSTD_isError(result) != 0 {
                        let name = ZSTD_getErrorName(result).map { String(cString: $0) } ?? "unknown error"
                        failure = ArrowIPCError(.decompression, "ZSTD buffer: \(name)", offset: offset)
                        return 0
                    }
                    if result != expected {
                        failure = ArrowIPCError(.decompression, "ZSTD buffer decompressed to \(result) bytes, header says \(expected)", offset: offset)
                        return 0
                    }
                    return expected
                case .lz4Frame:
                    do throws(ArrowIPCError) {
                        let produced = try lz4Frame(input, into: destination, at: offset)
                        guard produced == expected else {
                            throw ArrowIPCError(.decompression, "LZ4 buffer decompressed to \(produced) bytes, header says \(expected)", offset: offset)
                        }
                        return expected
                    } catch {
                        failure = error
                        return 0
                    }
                }
            }
        }
        if let failure { throw failure }
        return ArrowBuffer(output)
    }

    /// One LZ4 frame into a buffer of exactly the expected size; returns the bytes produced.
    private static func lz4Frame(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, at offset: Int) throws(ArrowIPCError) -> Int {
        let context = LZ4DecompressionContext()
        guard let dctx = context.raw else { throw ArrowIPCError(.decompression, "could not create an LZ4 context", offset: offset) }
        var consumed = 0, produced = 0
        while true {
            var srcSize = input.count - consumed
            var dstSize = output.count - produced
            let code = LZ4F_decompress(dctx, output.baseAddress.map { $0 + produced }, &dstSize,
                                       input.baseAddress.map { $0 + consumed }, &srcSize, nil)
            if LZ4F_isError(code) != 0 {
                context.atFrameBoundary = false
                let name = LZ4F_getErrorName(code).map { String(cString: $0) } ?? "unknown error"
                throw ArrowIPCError(.decompression, "LZ4 buffer: \(name)", offset: offset)
            }
            consumed += srcSize; produced += dstSize
            context.atFrameBoundary = code == 0
            if code == 0 { return produced }                      // frame complete
            if srcSize == 0 && dstSize == 0 {
                throw ArrowIPCError(.decompression, produced == output.count
                                    ? "LZ4 buffer holds more than its declared size"
                                    : "LZ4 buffer ends inside its frame", offset: offset)
            }
        }
    }
}
