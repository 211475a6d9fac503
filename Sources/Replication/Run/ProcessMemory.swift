#if canImport(Glibc)
import Glibc
#endif

/// Process-wide allocator tuning for a transfer's big buffers (decompressed result frames of a few
/// MB each, allocated and freed by the hundred per table).
///
/// glibc raises its mmap threshold each time a large block is freed (up to 32 MB), after which
/// such blocks come from the heap: freeing them no longer returns memory to the kernel at once,
/// and growing one with `realloc` copies it. Pinning the threshold at 1 MB keeps every large buffer
/// mmapped: freed pages go back immediately (peak RSS follows what is live) and growth is a
/// `mremap`, not a copy. DuckDB allocates through its own jemalloc and is not affected.
public enum ProcessMemory {
    /// Applies the tuning; later calls do nothing.
    public static func configure() { _ = applied }

    private static let applied: Bool = {
        #if canImport(Glibc)
        return glibcMallopt(mmapThreshold, 1 << 20) == 1
        #else
        return false
        #endif
    }()
}

#if canImport(Glibc)
// <malloc.h> is not part of Swift's Glibc module: the one function and constant, declared here.
private let mmapThreshold: Int32 = -3           // M_MMAP_THRESHOLD
@_silgen_name("mallopt") private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
