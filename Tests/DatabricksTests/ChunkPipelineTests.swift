import NIOCore
import Synchronization
import Testing
import Logging
@testable import Databricks

/// The download pipeline against a fake fetcher: order, parallelism, the memory budget,
/// preemption, failures, cancellation and empty results.
@Suite struct ChunkPipelineTests {
    /// Serves chunk `i` as `sizes[i]` bytes of value `i`, reporting growth in `step`-byte parts,
    /// optionally failing some attempts first. Tracks what it holds, independently of the pipeline.
    final class FakeFetcher: ChunkFetching, Sendable {
        let sizes: [Int]
        let step: Int
        let failures: Mutex<[Int: Int]>          // index -> attempts left that fail
        let fatal: Set<Int>
        let started = Mutex<[Int]>([])
        let concurrent = Mutex<(now: Int, peak: Int)>((0, 0))

        init(sizes: [Int], step: Int = 1000, transientFailures: [Int: Int] = [:], fatal: Set<Int> = []) {
            self.sizes = sizes; self.step = step; self.failures = Mutex(transientFailures); self.fatal = fatal
        }

        func fetch(_ slot: ChunkSlot, lease: MemoryLease) async throws -> ResultChunk {
            started.withLock { $0.append(slot.index) }
            concurrent.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            defer { concurrent.withLock { $0.now -= 1 } }
            while true {
                var buffer = ByteBuffer()
                let size = sizes[slot.index]
                var failed = false
                while buffer.readableBytes < size {
                    await Task.yield()
                    try Task.checkCancellation()
                    buffer.writeRepeatingByte(UInt8(truncatingIfNeeded: slot.index), count: min(step, size - buffer.readableBytes))
                    try await lease.hold(buffer.readableBytes)
                    if buffer.readableBytes >= size / 2 {
                        let fail = failures.withLock { left -> Bool in
                            guard let count = left[slot.index], count > 0 else { return false }
                            left[slot.index] = count - 1
                            return true
                        }
                        if fail { failed = true; break }
                    }
                }
                if fatal.contains(slot.index) {
                    throw ResultError.downloadFailed(table: "t", chunk: slot.index, chunkCount: sizes.count, attempts: 3,
                                                     cause: "HTTP 503 from storage")
                }
                if failed { continue }   // restart cleanly, as the real fetcher's retry does
                return ResultChunk(index: slot.index, rowOffset: Int64(slot.index) * 10, rowCount: 10,
                                   wireBytes: size, payload: .arrow([buffer]))
            }
        }
    }

    func sequence(_ fetcher: FakeFetcher, budget: Int, parallelism: Int, estimates: [Int]? = nil) -> ResultChunks {
        let slots = fetcher.sizes.indices.map {
            ChunkSlot(index: $0, rowOffset: Int64($0) * 10, rowCount: 10, estimatedBytes: estimates?[$0] ?? fetcher.sizes[$0])
        }
        return ResultChunks(slots: slots, fetcher: fetcher, budget: budget, parallelism: parallelism,
                            expectedRows: Int64(slots.count) * 10, table: "t", logger: Logger(label: "test"))
    }

    /// Consumes slowly and checks every chunk's bytes: exact, in order, no duplicates.
    func consume(_ chunks: ResultChunks) async throws -> (indexes: [Int], statistics: PipelineStatistics) {
        var indexes: [Int] = []
        let iterator = chunks.makeAsyncIterator()
        while let chunk = try await iterator.next() {
            guard let buffer = chunk.arrowStreamBytes else { Issue.record("payload"); continue }
            #expect(buffer.readableBytesView.allSatisfy { $0 == UInt8(truncatingIfNeeded: chunk.index) })
            indexes.append(chunk.index)
            for _ in 0..<20 { await Task.yield() }
        }
        return (indexes, await iterator.statistics())
    }

    @Test func yieldsInOrderWithinBudget() async throws {
        let sizes = (0..<24).map { 3000 + ($0 * 7919) % 5000 }
        let fetcher = FakeFetcher(sizes: sizes)
        let budget = 20_000
        let (indexes, statistics) = try await consume(sequence(fetcher, budget: budget, parallelism: 4))
        #expect(indexes == Array(0..<24))
        #expect(statistics.peakHeldBytes <= budget)
        #expect(statistics.peakConcurrentFetches <= 4)
        #expect(statistics.peakConcurrentFetches >= 2)   // it does prefetch ahead of the consumer
        #expect(statistics.oversizeChunks == 0)
        #expect(fetcher.concurrent.withLock { $0.peak } <= 4)
    }

    @Test func underestimatedChunksStayWithinBudget() async throws {
        // Every estimate is a fifth of the real size: reservations must grow, later chunks give way.
        let sizes = Array(repeating: 5000, count: 16)
        let fetcher = FakeFetcher(sizes: sizes, step: 500)
        let budget = 12_000
        let (indexes, statistics) = try await consume(sequence(fetcher, budget: budget, parallelism: 6,
                                                              estimates: sizes.map { $0 / 5 }))
        #expect(indexes == Array(0..<16))
        #expect(statistics.peakHeldBytes <= budget)
        #expect(statistics.preemptions > 0)
    }

    @Test func parallelismOneIsSequential() async throws {
        let fetcher = FakeFetcher(sizes: Array(repeating: 2000, count: 6))
        let (indexes, statistics) = try await consume(sequence(fetcher, budget: 1 << 20, parallelism: 1))
        #expect(indexes == Array(0..<6))
        #expect(statistics.peakConcurrentFetches == 1)
        #expect(fetcher.started.withLock { $0 } == Array(0..<6))
    }

    @Test func chunkLargerThanBudgetIsFetchedAlone() async throws {
        let fetcher = FakeFetcher(sizes: [1000, 9000, 1000, 1000])
        let (indexes, statistics) = try await consume(sequence(fetcher, budget: 4000, parallelism: 4))
        #expect(indexes == [0, 1, 2, 3])
        #expect(statistics.oversizeChunks == 1)
        #expect(statistics.peakHeldBytes <= 9000)
    }

    @Test func transientFailuresRestartWithoutDuplicates() async throws {
        let fetcher = FakeFetcher(sizes: Array(repeating: 4000, count: 8), transientFailures: [1: 2, 5: 1])
        let (indexes, _) = try await consume(sequence(fetcher, budget: 16_000, parallelism: 3))
        #expect(indexes == Array(0..<8))
    }

    @Test func fatalFailureEndsTheSequenceAfterACorrectPrefix() async throws {
        let fetcher = FakeFetcher(sizes: Array(repeating: 1000, count: 10), fatal: [6])
        var seen: [Int] = []
        let error = await #expect(throws: ResultError.self) {
            for try await chunk in sequence(fetcher, budget: 1 << 20, parallelism: 1) { seen.append(chunk.index) }
        }
        #expect(seen == Array(0..<6))
        #expect(error?.description == "t: chunk 7 of 10 failed after 3 attempts (HTTP 503 from storage). Rerun to retry.")
    }

    @Test func emptyResultIsEmptyNotAHang() async throws {
        let fetcher = FakeFetcher(sizes: [])
        let chunks = ResultChunks(slots: [], fetcher: fetcher, budget: 100, parallelism: 4, expectedRows: nil, table: nil,
                                  logger: Logger(label: "test"))
        var count = 0
        for try await _ in chunks { count += 1 }
        #expect(count == 0)
    }

    @Test func totalRowCountIsChecked() async throws {
        let fetcher = FakeFetcher(sizes: [10, 10])
        let slots = [ChunkSlot(index: 0, rowOffset: 0, rowCount: 10, estimatedBytes: 10),
                     ChunkSlot(index: 1, rowOffset: 10, rowCount: 10, estimatedBytes: 10)]
        let chunks = ResultChunks(slots: slots, fetcher: fetcher, budget: 100, parallelism: 2, expectedRows: 25,
                                  table: "x", logger: Logger(label: "test"))
        await #expect(throws: ResultError.self) { for try await _ in chunks {} }
    }

    @Test func cancellingTheConsumerStopsFetches() async throws {
        let fetcher = FakeFetcher(sizes: Array(repeating: 1_000_000, count: 50), step: 100)
        let chunks = sequence(fetcher, budget: 3_000_000, parallelism: 3)
        let task = Task {
            var count = 0
            for try await _ in chunks { count += 1 }
            return count
        }
        while fetcher.started.withLock({ $0.count }) < 2 { await Task.yield() }
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        // No fetch keeps running after the sequence ended.
        var spins = 0
        while fetcher.concurrent.withLock({ $0.now }) > 0 && spins < 1_000_000 { await Task.yield(); spins += 1 }
        #expect(fetcher.concurrent.withLock { $0.now } == 0)
        #expect(fetcher.started.withLock { $0.count } < 50)
    }
}
