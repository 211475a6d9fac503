// The fuzzer for every parser of bytes from the network: Arrow IPC streams (decoded and counted),
// Databricks' LZ4 framing, and CSV bodies. Built by scripts/fuzz with
// `-sanitize=fuzzer,address -DFUZZING`, it is a libFuzzer target; in a normal build it is a replay
// tool: `ArrowIPCFuzz FILE...` runs each file through the same code (to reproduce a finding
// without the fuzzer).
import NIOCore

/// One input, every way the product reads bytes: as an Arrow stream whole and in pieces, as an
/// LZ4-framed body (and the stream inside it), as CSV.
func fuzzOne(_ input: UnsafeRawBufferPointer) {
    let bytes = ByteBuffer(bytes: input)
    let cuts = FuzzInput.cuts(input)
    ArrowStreamTarget.run([bytes], gather: true)
    if !cuts.isEmpty { ArrowStreamTarget.run(FuzzInput.pieces(bytes, cuts: cuts), gather: false) }
    LZ4FrameTarget.run(bytes, cuts: cuts)
    CSVTarget.run(bytes)
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
