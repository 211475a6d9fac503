// The Arrow IPC fuzzer. Built by scripts/fuzz with `-sanitize=fuzzer,address -DFUZZING`, it is a
// libFuzzer target; in a normal build it is a replay tool: `ArrowIPCFuzz FILE...` runs each file
// through the same code (to reproduce a finding without the fuzzer).
import ArrowIPC
import CArrowData
import NIOCore

/// One input, every way the product reads bytes: whole, in two pieces, after LZ4 framing; each
/// decoded batch is exported to C and walked like a consumer would read it.
func fuzzOne(_ input: UnsafeRawBufferPointer) {
    let bytes = ByteBuffer(bytes: input)
    decode(bytes, cuts: [])
    if input.count > 4 {
        // Two data-derived cuts; every piece kept separately, so ranges straddle piece boundaries.
        let first = Int(input[0]) * input.count / 256, second = Int(input[1]) * input.count / 256
        decode(bytes, cuts: [min(first, second), max(first, second)])
    }
    if let plain = try? LZ4FrameDecoder.decompressAll(bytes) { decode(plain, cuts: []) }
}

func decode(_ bytes: ByteBuffer, cuts: [Int]) {
    // A small decompression limit: hostile headers must not be able to allocate gigabytes here.
    var decoder = StreamDecoder(maximumDecompressedBufferBytes: 8 << 20, gatherPiecesSmallerThan: cuts.isEmpty ? 64 << 10 : 0)
    var batches: [RecordBatch] = []
    do {
        var start = 0
        for end in cuts + [bytes.readableBytes] where end >= start {
            if let piece = bytes.getSlice(at: bytes.readerIndex + start, length: end - start) {
                batches += try decoder.feed(piece)
            }
            start = end
        }
        try decoder.finish()
    } catch {
        precondition(!error.description.isEmpty)
    }
    for batch in batches {
        for options in [ExportOptions.duckDB, .faithful] {
            guard let exported = try? batch.exportToC(options: options) else { continue }
            precondition(exported.arrayPointer.pointee.length == Int64(batch.length))
            ConsumerWalk.walk(exported.schemaPointer, exported.arrayPointer)
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    fuzzOne(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

// libFuzzer's driver entry (compiler-rt, LLVM >= 11). SwiftPM links an executable's entry point as
// `<Target>_main`, so this target provides it and hands control to libFuzzer.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("ArrowIPCFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzzerTestOneInput(data, size) }
}
#else
import Foundation

@main
struct Replay {
    static func main() {
        let paths = CommandLine.arguments.dropFirst()
        if paths.isEmpty { print("usage: ArrowIPCFuzz FILE... (replays inputs; scripts/fuzz builds the fuzzer)") }
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { print("cannot read \(path)"); continue }
            data.withUnsafeBytes { fuzzOne($0) }
            print("ok \(path) (\(data.count) bytes)")
        }
    }
}
#endif
