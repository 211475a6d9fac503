import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads this process's memory use from the operating system.
///
/// On Linux: current RSS from `/proc/self/statm`, the kernel's high-water mark (`VmHWM`) from
/// `/proc/self/status`, and a peak reset through `/proc/self/clear_refs`. Elsewhere only the
/// lifetime peak from `getrusage` is known.
public enum MemoryProbe {
    /// Resident set size now, in bytes, or nil where the system does not say.
    public static func residentBytes() -> Int? {
        #if os(Linux)
        // statm: "size resident shared text lib data dt", in pages.
        guard let text = readSmallFile("/proc/self/statm") else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * pageSize
        #else
        return nil
        #endif
    }

    /// The highest resident set size since the process started or since the last ``resetPeak()``.
    public static func peakResidentBytes() -> Int? {
        #if os(Linux)
        guard let text = readSmallFile("/proc/self/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            // "VmHWM:     12345 kB"
            let number = line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first
            return number.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
        #else
        var usage = rusage()
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return nil }
        return Int(usage.ru_maxrss)   // bytes on Darwin
        #endif
    }

    /// Resets the kernel's peak RSS to the current RSS (Linux 4.0+: write "5" to clear_refs).
    /// - Returns: false where that is not possible (other systems, restricted containers); then
    ///   ``peakResidentBytes()`` keeps the lifetime peak and only sampling sees per-run peaks.
    @discardableResult
    public static func resetPeak() -> Bool {
        #if os(Linux)
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var five: UInt8 = 0x35
        return write(fd, &five, 1) == 1
        #else
        return false
        #endif
    }

    /// Returns heap memory freed earlier to the kernel (glibc `malloc_trim(0)`), so a run that
    /// starts now measures its own RSS rather than what malloc kept from before. Does nothing
    /// where glibc is absent.
    public static func releaseFreedMemory() {
        #if canImport(Glibc)
        // Looked up at run time: the Glibc module does not export <malloc.h>.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        // Safe: glibc declares `int malloc_trim(size_t pad)`, which is exactly this C signature.
        typealias MallocTrim = @convention(c) (Int) -> Int32
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }

    /// Physical memory of the machine, in bytes.
    public static var physicalMemoryBytes: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    #if os(Linux)
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Reads up to 4 KiB with one `read`: procfs files are generated per read and are tiny, and
    /// this runs every sampling interval, so no Foundation file machinery.
    private static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: bytes[0..<count], as: UTF8.self)
    }
    #endif
}
