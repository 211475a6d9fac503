#if canImport(Glibc)
import Glibc
#endif
@_spi(CustomByteBufferAllocator) public import NIOCore
import Synchronization

/// Keeps a few freed frame buffers (decompressed LZ4 frames, a few MB each) for the next frames.
///
/// A transfer decompresses a frame into a fresh buffer, hands it to DuckDB, and frees it once the
/// batch is loaded: hundreds of times per table. Each fresh buffer is a new mapping the kernel
/// fills a page at a time (a fault and a zeroed page per 4 KB), then unmaps again, a visible share
/// of a large copy's CPU time. Reusing a freed buffer skips both. The pool keeps at most
/// `maximumKept` buffers, so it adds a bounded amount to peak memory.
public final class FrameBufferPool: Sendable {
    /// The pool ``LZ4FrameDecoder`` allocates its frames from.
    /// Four frames: enough to serve most frames of a large copy from the pool (two served clearly
    /// fewer), saving system CPU and wall time for a few MB more peak RSS (README, "Memory").
    public static let shared = FrameBufferPool(maximumKept: 4)

    /// Buffers smaller than this are left to malloc, which serves them from its heap without faults.
    static let minimumPooledBytes = 1 << 20
    /// Buffers larger than this are never kept (a generic LZ4 stream's single huge frame).
    static let maximumPooledBytes = 32 << 20

    let maximumKept: Int
    /// Kept buffers as (address, usable bytes): plain integers, so the lock's state is Sendable.
    private let kept = Mutex<[(address: UInt, bytes: Int)]>([])
    private let counters = Mutex<(reused: Int, allocated: Int)>((0, 0))

    init(maximumKept: Int) { self.maximumKept = maximumKept }

    /// A ByteBuffer allocator whose large allocations come from (and return to) the shared pool.
    /// Only `shared` can back one: the C callbacks cannot capture an instance.
    public static let allocator = ByteBufferAllocator(
        allocate: { size in shared.take(size) },
        reallocate: { pointer, _, newSize in shared.resize(pointer, to: newSize) },
        deallocate: { pointer in shared.give(pointer) },
        copy: { destination, source, count in _ = memcpy(destination, source, count) })

    /// How many allocations a kept buffer served, and how many went to malloc.
    public var statistics: (reused: Int, allocated: Int) { counters.withLock { $0 } }

    /// Buffers currently kept.
    public var keptCount: Int { kept.withLock { $0.count } }

    /// Frees every kept buffer.
    public func drain() {
        let all = kept.withLock { list -> [(address: UInt, bytes: Int)] in
            defer { list.removeAll() }
            return list
        }
        for entry in all { free(UnsafeMutableRawPointer(bitPattern: entry.address)) }
    }

    func take(_ size: Int) -> UnsafeMutableRawPointer? {
        if size >= Self.minimumPooledBytes {
            let reused = kept.withLock { list -> UInt? in
                guard let index = list.firstIndex(where: { $0.bytes >= size }) else { return nil }
                return list.remove(at: index).address
            }
            if let reused {
                counters.withLock { $0.reused += 1 }
                return UnsafeMutableRawPointer(bitPattern: reused)
            }
        }
        counters.withLock { $0.allocated += 1 }
        return malloc(size)
    }

    func resize(_ pointer: UnsafeMutableRawPointer?, to size: Int) -> UnsafeMutableRawPointer? {
        if let pointer, usableSize(pointer) >= size { return pointer }   // a reused buffer has room
        return realloc(pointer, size)
    }

    func give(_ pointer: UnsafeMutableRawPointer) {
        let bytes = usableSize(pointer)
        guard bytes >= Self.minimumPooledBytes, bytes <= Self.maximumPooledBytes else { return free(pointer) }
        let address = UInt(bitPattern: pointer)
        let keptIt = kept.withLock { list -> Bool in
            guard list.count < maximumKept else { return false }
            list.append((address, bytes))
            return true
        }
        if !keptIt { free(pointer) }
    }
}

#if canImport(Glibc)
// <malloc.h> is not part of Swift's Glibc module.
@_silgen_name("malloc_usable_size") private func glibcMallocUsableSize(_ pointer: UnsafeMutableRawPointer?) -> Int
private func usableSize(_ pointer: UnsafeMutableRawPointer) -> Int { glibcMallocUsableSize(pointer) }
#else
private func usableSize(_ pointer: UnsafeMutableRawPointer) -> Int { 0 }   // never pooled, never assumed roomy
#endif
