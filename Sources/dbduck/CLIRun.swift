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
        try await mapped { try await Session.replicate(input, progress: ProgressDisplay(), logger: logger(verbose: verbose)) }
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
