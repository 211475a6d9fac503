import Logging
import Timing

/// What the pipeline knows about a chunk before fetching it.
struct ChunkSlot: Sendable {
    var index: Int
    var rowOffset: Int64?
    var rowCount: Int64?
    /// Bytes the chunk is expected to occupy once fetched (and decompressed); a reservation hint.
    var estimatedBytes: Int
    /// The manifest's (uncompressed) byte count, to size the receive buffer once.
    var payloadBytes: Int? = nil
}

/// Fetches one chunk. Implementations report the bytes they hold while fetching through the
/// lease, and must restart cleanly (dropping what they hold) when they retry.
protocol ChunkFetching: Sendable {
    func fetch(_ slot: ChunkSlot, lease: MemoryLease) async throws -> ResultChunk
}

/// A fetch's handle on the memory budget.
struct MemoryLease: Sendable {
    let pipeline: ChunkPipeline
    let index: Int
    let generation: Int

    /// Declares that the fetch now holds `bytes` in total. Suspends never; throws
    /// ``ChunkPipeline/Preempted`` when this fetch must give way (it will be restarted later).
    func hold(_ bytes: Int) async throws {
        try await pipeline.hold(bytes, index: index, generation: generation)
    }
}

/// Memory accounting the tests and the profiler read.
public struct PipelineStatistics: Sendable, Equatable {
    /// Largest sum of bytes in flight and bytes waiting for the consumer.
    public var peakHeldBytes: Int
    /// Chunks whose fetch was stopped (and later restarted) to free budget for an earlier chunk.
    public var preemptions: Int
    /// Chunks that on their own exceeded the budget (fetched alone, with nothing else held).
    public var oversizeChunks: Int
    /// Most fetches in flight at once.
    public var peakConcurrentFetches: Int
}

/// Schedules chunk fetches in index order under a parallelism limit and a byte budget, and hands
/// chunks to the consumer in order.
///
/// Invariant: bytes reserved by fetches plus bytes of fetched chunks waiting for the consumer
/// never exceed the budget, except for a single chunk larger than the budget, which is fetched
/// while nothing else is held. Reservations start at a chunk's estimate and grow as the fetch
/// reports more; an earlier chunk that needs room evicts later ones (they restart afterwards), so
/// the chunk the consumer waits for can always make progress.
actor ChunkPipeline {
    struct Preempted: Error {}

    private let slots: [ChunkSlot]
    private let fetcher: any ChunkFetching
    private let budget: Int
    private let parallelism: Int
    private let logger: Logger
    private let observer: (any TransferObserver)?

    private var estimates: [Int]
    private var pending: [Int]                 // indexes not started, ascending
    private var inFlight: [Int: (task: Task<Void, Never>, reserved: Int)] = [:]
    private var ready: [Int: ResultChunk] = [:]
    private var generations: [Int]
    private var head = 0                       // next index the consumer gets
    private var held = 0 {
        didSet { if held != oldValue { observer?.bufferLevel(held, buffer: ObjectIdentifier(self)) } }
    }
    private var failure: (any Error)?
    private var waiter: CheckedContinuation<ResultChunk?, any Error>?
    private var stopped = false
    private var oversized: Set<Int> = []
    private(set) var statistics = PipelineStatistics(peakHeldBytes: 0, preemptions: 0, oversizeChunks: 0,
                                                     peakConcurrentFetches: 0)

    init(slots: [ChunkSlot], fetcher: any ChunkFetching, budget: Int, parallelism: Int, logger: Logger,
         observer: (any TransferObserver)? = nil) {
        self.observer = observer
        self.slots = slots.sorted { $0.index < $1.index }
        self.fetcher = fetcher
        self.budget = max(1, budget)
        self.parallelism = max(1, parallelism)
        self.logger = logger
        estimates = self.slots.map { max(1, $0.estimatedBytes) }
        pending = Array(self.slots.indices)
        generations = Array(repeating: 0, count: self.slots.count)
    }

    // MARK: Consumer side

    /// The next chunk in order, nil after the last one.
    func next() async throws -> ResultChunk? {
        if let failure { throw failure }
        if stopped { throw CancellationError() }
        if head >= slots.count { return nil }
        if let chunk = takeHead() { return chunk }
        return try await withCheckedThrowingContinuation { continuation in
            waiter = continuation
            pump()
        }
    }

    /// Stops all fetches; a waiting consumer gets `CancellationError`.
    func cancel() {
        guard !stopped else { return }
        stopped = true
        for (_, entry) in inFlight { entry.task.cancel() }
        inFlight.removeAll()
        ready.removeAll()
        held = 0
        if let waiter {
            self.waiter = nil
            waiter.resume(throwing: failure ?? CancellationError())
        }
    }

    private func takeHead() -> ResultChunk? {
        guard let chunk = ready.removeValue(forKey: head) else { return nil }
        held -= chunk.memoryBytes
        head += 1
        pump()
        return chunk
    }

    // MARK: Scheduling

    private func pump() {
        guard failure == nil, !stopped else { return }
        while inFlight.count < parallelism, let position = pending.first {
            let estimate = estimates[position]
            if held + estimate > budget && position == head {
                // The chunk the consumer needs next always gets room: later chunks give way.
                evict(after: position, toFree: held + estimate - budget)
            }
            guard held + estimate <= budget || held == 0 else { break }
            if estimate > budget { noteOversize(position) }
            pending.removeFirst()
            start(position, reserving: estimate)
        }
        if let waiter, head >= slots.count {
            self.waiter = nil
            waiter.resume(returning: nil)
        } else if let waiter, let chunk = ready.removeValue(forKey: head) {
            self.waiter = nil
            held -= chunk.memoryBytes
            head += 1
            waiter.resume(returning: chunk)
            pump()
        }
    }

    private func start(_ position: Int, reserving bytes: Int) {
        generations[position] += 1
        let generation = generations[position]
        let slot = slots[position]
        let lease = MemoryLease(pipeline: self, index: position, generation: generation)
        let fetcher = self.fetcher
        held += bytes
        // Detached: the fetch runs off the actor; only the bookkeeping calls come back to it.
        let task = Task.detached {
            do {
                let chunk = try await fetcher.fetch(slot, lease: lease)
                await self.completed(position, generation: generation, chunk: chunk)
            } catch is Preempted {
                // The pipeline already requeued this chunk.
            } catch {
                await self.failed(position, generation: generation, error: error)
            }
        }
        inFlight[position] = (task, bytes)
        statistics.peakConcurrentFetches = max(statistics.peakConcurrentFetches, inFlight.count)
        notePeak()
    }

    private func noteOversize(_ position: Int) {
        oversized.insert(position)
        statistics.oversizeChunks = oversized.count
    }

    private func notePeak() { statistics.peakHeldBytes = max(statistics.peakHeldBytes, held) }

    // MARK: Fetch side

    func hold(_ bytes: Int, index position: Int, generation: Int) throws {
        guard !stopped, failure == nil else { throw CancellationError() }
        guard generations[position] == generation, let entry = inFlight[position] else { throw Preempted() }
        guard bytes > entry.reserved else { return }
        let extra = bytes - entry.reserved
        if held + extra > budget { evict(after: position, toFree: held + extra - budget) }
        if held + extra > budget {
            if position == head {
                // Everything after the head was evicted: it alone is larger than the budget.
                noteOversize(position)
            } else {
                // Give way to earlier chunks; restart later with the larger estimate.
                requeue(position, estimate: bytes)
                throw Preempted()
            }
        }
        inFlight[position]?.reserved = bytes
        held += extra
        notePeak()
    }

    /// Evicts fetched-but-waiting and in-flight chunks with indexes after `position`, highest first.
    private func evict(after position: Int, toFree needed: Int) {
        var freed = 0
        let candidates = (Set(ready.keys).union(inFlight.keys)).filter { $0 > position }.sorted(by: >)
        for victim in candidates where freed < needed {
            if let chunk = ready.removeValue(forKey: victim) {
                held -= chunk.memoryBytes
                freed += chunk.memoryBytes
                estimates[victim] = max(1, chunk.memoryBytes)
                insertPending(victim)
                statistics.preemptions += 1
            } else if let entry = inFlight[victim] {
                freed += entry.reserved
                requeue(victim, estimate: entry.reserved)
            }
        }
    }

    private func requeue(_ position: Int, estimate: Int) {
        if let entry = inFlight.removeValue(forKey: position) {
            held -= entry.reserved
            entry.task.cancel()
        }
        generations[position] += 1
        estimates[position] = max(estimates[position], estimate)
        insertPending(position)
        statistics.preemptions += 1
        logger.debug("chunk fetch preempted", metadata: ["chunk.index": "\(slots[position].index)"])
    }

    private func insertPending(_ position: Int) {
        let at = pending.firstIndex { $0 > position } ?? pending.endIndex
        pending.insert(position, at: at)
    }

    private func completed(_ position: Int, generation: Int, chunk: ResultChunk) {
        guard generations[position] == generation, let entry = inFlight.removeValue(forKey: position), !stopped else { return }
        held -= entry.reserved
        held += chunk.memoryBytes
        notePeak()
        ready[position] = chunk
        pump()
    }

    private func failed(_ position: Int, generation: Int, error: any Error) {
        guard generations[position] == generation, inFlight[position] != nil, failure == nil, !stopped else { return }
        failure = error
        for (_, entry) in inFlight { entry.task.cancel() }
        inFlight.removeAll()
        ready.removeAll()
        held = 0
        if let waiter {
            self.waiter = nil
            waiter.resume(throwing: error)
        }
    }
}
