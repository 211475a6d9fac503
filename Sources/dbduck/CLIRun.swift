import ArgumentParser
import Databricks
import Foundation
import Logging
import Replication

/// Bridges commands to the library: logging to stderr, and errors to exit codes
/// (usage and config errors 64, everything else 1), each printed as one sentence.
enum CLIRun {
    static func logger(verbose: Bool) -> Logger {
        var logger = Logger(label: "dbduck") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }

    static func replicate(_ input: CommandLineInput, verbose: Bool) async throws -> ReplicationSummary {
        try await mapped {
            try await SignalCancellation.run {
                try await Session.replicate(input, progress: ProgressDisplay(), logger: logger(verbose: verbose))
            }
        }
    }

    static func plan(_ input: CommandLineInput, verbose: Bool) async throws -> ReplicationPlan {
        try await mapped { try await Session.plan(input, logger: logger(verbose: verbose)) }
    }

    static func tables(pattern: String, source: SourceSettings) async throws -> [String] {
        try await mapped { try await Session.tables(pattern: pattern, source: source, logger: logger(verbose: false)) }
    }

    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as UsageError {
            throw fail(error.description, status: 64)
        } catch let error as ConfigError {
            throw fail(error.description, status: 64)
        } catch let error as WorkspaceConfigurationError {
            throw fail(error.description, status: 64)
        } catch let error as ExitCode {
            throw error
        } catch {
            throw fail("\(error)", status: 1)
        }
    }

    private static func fail(_ message: String, status: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        return ExitCode(status)
    }
}

/// Ctrl-C (SIGINT) and SIGTERM cancel the running work instead of killing the process, so the
/// statement is cancelled on the warehouse, DuckDB is interrupted, the load's transaction rolls
/// back and staged files are removed. A second signal exits at once.
enum SignalCancellation {
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
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
        let sources = [SIGINT, SIGTERM].map { signalNumber -> DispatchSourceSignal in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            let seen = SignalCounter()
            source.setEventHandler {
                if seen.increment() > 1 { exit(130) }
                FileHandle.standardError.write(Data("\n[dbduck] interrupted: cancelling (the previous copies stay as they were); press Ctrl-C again to quit at once\n".utf8))
                task.cancel()
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        return try await task.value
    }
}

/// Counts signals across handler invocations.
final class SignalCounter: @unchecked Sendable {
    // @unchecked Sendable: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; count += 1; return count }
}
