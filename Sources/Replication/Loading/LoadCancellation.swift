import DuckDB
import Synchronization

/// Stops a table's load from another task: interrupts the DuckDB call running on the load's own
/// connection, and tells `basic`'s extra connections to stop before their next row.
final class LoadCancellation: Sendable {
    private let handle: InterruptHandle
    private let requested = Atomic<Bool>(false)

    init(_ handle: InterruptHandle) { self.handle = handle }

    func cancel() {
        requested.store(true, ordering: .relaxed)
        handle.interrupt()
    }

    var isCancelled: Bool { requested.load(ordering: .relaxed) }
}
