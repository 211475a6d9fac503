import Dispatch

/// A serial executor backed by a private dispatch queue, so an actor's blocking DuckDB calls run on a
/// thread of their own and never hold a thread of Swift's cooperative pool (which downloads need).
final class QueueExecutor: SerialExecutor, @unchecked Sendable {
    // @unchecked Sendable: the only state is a serial DispatchQueue, which is thread-safe.
    private let queue: DispatchQueue

    init(label: String) { queue = DispatchQueue(label: label) }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}
