import Logging
import Timing

/// The chunks of a statement result, in row order, as an `AsyncSequence`.
///
/// Iterating starts the download pipeline: up to `downloadParallelism` fetches ahead of the
/// consumer, within `memoryBudgetBytes`. An empty result yields nothing. Each chunk's row count
/// is checked against the manifest and the total against `total_row_count`; any failure ends the
/// iteration with an error, after a correct prefix. Cancelling the consuming task, or dropping
/// the iterator, stops all downloads.
///
/// ```swift
/// for try await chunk in client.chunks(of: result, table: "main.demo.events") {
///     if case .arrow(let pieces) = chunk.payload { try load(pieces) }
/// }
/// ```
public struct ResultChunks: AsyncSequence, Sendable {
    public typealias Element = ResultChunk

    let slots: [ChunkSlot]
    let fetcher: any ChunkFetching
    let budget: Int
    let parallelism: Int
    let expectedRows: Int64?
    let table: String?
    let logger: Logger
    let observer: (any TransferObserver)?

    init(slots: [ChunkSlot], fetcher: any ChunkFetching, budget: Int, parallelism: Int, expectedRows: Int64?,
         table: String?, logger: Logger, observer: (any TransferObserver)? = nil) {
        self.slots = slots; self.fetcher = fetcher; self.budget = budget; self.parallelism = parallelism
        self.expectedRows = expectedRows; self.table = table; self.logger = logger; self.observer = observer
    }

    /// Number of chunks the sequence will yield.
    public var chunkCount: Int { slots.count }

    public func makeAsyncIterator() -> Iterator {
        Iterator(pipeline: ChunkPipeline(slots: slots, fetcher: fetcher, budget: budget, parallelism: parallelism,
                                         logger: logger, observer: observer),
                 expectedRows: expectedRows, table: table)
    }

    public final class Iterator: AsyncIteratorProtocol {
        let pipeline: ChunkPipeline
        private let expectedRows: Int64?
        private let table: String?
        private var rowsSeen: Int64 = 0
        private var finished = false

        init(pipeline: ChunkPipeline, expectedRows: Int64?, table: String?) {
            self.pipeline = pipeline; self.expectedRows = expectedRows; self.table = table
        }

        deinit {
            let pipeline = self.pipeline
            Task { await pipeline.cancel() }
        }

        public func next() async throws -> ResultChunk? {
            try await next(isolation: nil)
        }

        /// Runs on the caller's actor, so an iterator owned by an actor never crosses isolation.
        public func next(isolation actor: isolated (any Actor)?) async throws(any Error) -> ResultChunk? {
            guard !finished else { return nil }
            let pipeline = self.pipeline
            let chunk: ResultChunk?
            do {
                chunk = try await withTaskCancellationHandler {
                    try await pipeline.next()
                } onCancel: {
                    Task { await pipeline.cancel() }
                }
            } catch {
                finished = true
                await pipeline.cancel()
                throw error
            }
            guard let chunk else {
                finished = true
                if let expectedRows, expectedRows != rowsSeen {
                    throw ResultError.totalRowCountMismatch(table: table, expected: expectedRows, actual: rowsSeen)
                }
                return nil
            }
            rowsSeen += chunk.rowCount
            return chunk
        }

        /// Memory and concurrency figures of the pipeline so far.
        public func statistics(isolation actor: isolated (any Actor)? = #isolation) async -> PipelineStatistics {
            await pipeline.statistics
        }
    }
}
