import NIOConcurrencyHelpers

/// Fails a download that receives no byte for `limit` (`defaults.stall_timeout`): a link that
/// stops sending would otherwise hang its table for as long as the connection stays open.
/// Time spent waiting for our own memory budget is not the network's and is not counted.
struct StallWatchdog: Sendable {
    /// No byte arrived for the limit.
    struct Stalled: Error, Sendable {
        var limit: Duration
        var reason: String { "no bytes arrived for \(Int(limit.components.seconds)) s (stall_timeout)" }
    }

    /// What the watched body reports: each byte arrival, and pauses that are ours, not the network's.
    final class Progress: Sendable {
        private struct State { var last = ContinuousClock.now; var paused = 0 }
        private let state = NIOLockedValueBox(State())

        func touch() { state.withLockedValue { $0.last = .now } }

        /// Runs `body` with the clock stopped (waiting for the memory budget).
        func paused<T>(_ body: () async throws -> T) async rethrows -> T {
            state.withLockedValue { $0.paused += 1 }
            defer { state.withLockedValue { $0.paused -= 1; $0.last = .now } }
            return try await body()
        }

        fileprivate func silence() -> Duration? {
            state.withLockedValue { $0.paused > 0 ? nil : $0.last.duration(to: .now) }
        }
    }

    let limit: Duration

    /// Runs `body`; throws ``Stalled`` (cancelling it) once it has gone `limit` without progress.
    func run<T: Sendable>(_ body: @escaping @Sendable (Progress) async throws -> T) async throws -> T {
        let progress = Progress()
        let limit = self.limit
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body(progress) }
            group.addTask {
                let tick = min(limit / 4, .seconds(1))
                while true {
                    try await Task.sleep(for: tick)
                    if let silence = progress.silence(), silence >= limit { throw Stalled(limit: limit) }
                }
            }
            defer { group.cancelAll() }
            while let value = try await group.next() {
                if let value { return value }
            }
            throw CancellationError()
        }
    }
}
