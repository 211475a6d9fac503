import Foundation

/// Ctrl-C (SIGINT) and SIGTERM cancel the running work instead of killing the process, so the
/// statement is cancelled on the warehouse, DuckDB is interrupted, the load's transaction rolls
/// back and staged files are removed. A second signal exits at once.
public enum SignalCancellation {
    /// What `body` returned or threw, and whether a signal interrupted it (the command then exits 130).
    public struct Outcome<T: Sendable>: Sendable {
        public var result: Result<T, any Error>
        public var interrupted: Bool
    }

    public static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async -> Outcome<T> {
        let task = Task { try await body() }
        // A process may start with these signals blocked (a parent's mask is inherited); one thread
        // that unblocks them guarantees they are delivered and reach the handlers below.
        let receiver = Thread {
            var set = sigset_t()
            sigemptyset(&set); sigaddset(&set, SIGINT); sigaddset(&set, SIGTERM)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            while true { pause() }
        }
        receiver.start()
        let seen = SignalCounter()
        let sources = [SIGINT, SIGTERM].map { signalNumber -> DispatchSourceSignal in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if seen.increment() > 1 { exit(130) }
                FileHandle.standardError.write(Data("\n[dbduck] interrupted: cancelling (the previous copies stay as they were); press Ctrl-C again to quit at once\n".utf8))
                task.cancel()
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        let result = await task.result
        return Outcome(result: result, interrupted: seen.value > 0)
    }
}

/// Counts signals across handler invocations.
final class SignalCounter: @unchecked Sendable {
    // @unchecked Sendable: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; count += 1; return count }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
