import Databricks
import DuckDB
import Foundation
import Logging
import Profiling
import Replication

/// What a command prints on stdout and the status it exits with.
public struct CommandOutput: Sendable {
    public var stdout: String
    public var exitStatus: Int32
    public init(_ stdout: String, exitStatus: Int32 = 0) { self.stdout = stdout; self.exitStatus = exitStatus }
}

/// A command that could not run: its message (one sentence, said once) and its exit status:
/// 64 for usage and configuration errors (`isUsage`: the CLI also shows the usage), 1 otherwise.
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var exitStatus: Int32
    /// With `--json`: the one document to print on stdout (the message still goes to stderr).
    public var json: String?
    public init(message: String, exitStatus: Int32) { self.message = message; self.exitStatus = exitStatus }
    public var isUsage: Bool { exitStatus == 64 }
    public var description: String { message }
}

/// The commands, end to end: the CLI parses arguments into a ``CommandLineInput``, calls one of
/// these, and prints what it returns. Logging goes to stderr; errors become ``CommandFailure``s.
public enum CommandRunner {
    public static func logger(verbose: Bool) -> Logger {
        var logger = Logger(label: "dbduck") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }

    public static func replicate(_ input: CommandLineInput, json: Bool, verbose: Bool) async throws(CommandFailure) -> CommandOutput {
        let outcome = await SignalCancellation.run {
            try await Session.replicate(input, progress: ProgressDisplay(), logger: logger(verbose: verbose))
        }
        let summary: ReplicationSummary
        do {
            summary = try await mapped { try outcome.result.get() }
        } catch {
            // Whatever a cancelled request threw, the run stopped because it was asked to.
            let failure = outcome.interrupted
                ? CommandFailure(message: "interrupted before any table was copied; the previous copies are unchanged", exitStatus: 130)
                : error
            throw failure.documented(json)
        }
        let status: Int32 = summary.succeeded ? 0 : outcome.interrupted ? 130 : 1
        let text = try await mapped { json ? try JSONDocument.summary(summary, exitStatus: status) : summary.text }
        return CommandOutput(text, exitStatus: status)
    }

    public static func plan(_ input: CommandLineInput, json: Bool, verbose: Bool) async throws(CommandFailure) -> CommandOutput {
        try await documented(json) {
            let plan = try await Session.plan(input, logger: logger(verbose: verbose))
            return CommandOutput(json ? try PlanRenderer.json(plan) : PlanRenderer.text(plan))
        }
    }

    public static func tables(pattern: String, source: SourceSettings, json: Bool) async throws(CommandFailure) -> CommandOutput {
        try await documented(json) {
            let names = try await Session.tables(pattern: pattern, source: source, logger: logger(verbose: false))
            guard json else { return CommandOutput(names.joined(separator: "\n")) }
            return CommandOutput(String(decoding: try JSONSerialization.data(withJSONObject: names, options: [.prettyPrinted]), as: UTF8.self))
        }
    }

    public static func analyze(_ options: AnalyzeSession.Options, json: Bool, html: String?, verbose: Bool) async throws(CommandFailure) -> CommandOutput {
        try await documented(json) {
            let report = try await AnalyzeSession.run(options, logger: logger(verbose: verbose)) { line in
                FileHandle.standardError.write(Data("[dbduck] \(line)\n".utf8))
            }
            if let html { try report.write(html: html) }
            // A failed measured copy fails the command: the report is printed, but it is not a clean bill.
            return CommandOutput(json ? String(decoding: try report.jsonData(), as: UTF8.self) : report.terminalText(),
                                 exitStatus: report.failures.isEmpty ? 0 : 1)
        }
    }

    public static func bench(_ options: BenchSession.Options, out: String, compare: String?) async throws(CommandFailure) -> CommandOutput {
        try await mapped {
            let report = try await BenchSession.run(options, logger: logger(verbose: false)) { line in
                FileHandle.standardError.write(Data("[dbduck] \(line)\n".utf8))
            }
            var text = report.table()
            try report.save(to: out)
            FileHandle.standardError.write(Data("[dbduck] results saved to \(out)\n".utf8))
            if let compare { text += "\n" + BenchComparison(old: try BenchReport.load(from: compare), new: report).table() }
            return CommandOutput(text)
        }
    }

    /// dbduck's version and the linked DuckDB's.
    public static func version(_ dbduck: String) -> String { "dbduck \(dbduck)\nDuckDB \(Database.libraryVersion)" }

    /// `mapped`, and with `--json` a failure carries its JSON document.
    static func documented<T>(_ json: Bool, _ body: () async throws -> T) async throws(CommandFailure) -> T {
        do { return try await mapped(body) } catch { throw error.documented(json) }
    }

    static func mapped<T>(_ body: () async throws -> T) async throws(CommandFailure) -> T {
        do {
            return try await body()
        } catch let failure as CommandFailure {
            throw failure
        } catch let error as UsageError {
            throw CommandFailure(message: error.description, exitStatus: 64)
        } catch let error as ConfigError {
            throw CommandFailure(message: error.description, exitStatus: 64)
        } catch let error as PlanError {
            // Found after parsing but before anything moves: an unknown column, a missing key, two
            // sources on one target. The command line or the config must change.
            throw CommandFailure(message: error.description, exitStatus: 64)
        } catch let error as WorkspaceConfigurationError {
            throw CommandFailure(message: error.description, exitStatus: 64)
        } catch is CancellationError {
            throw CommandFailure(message: "interrupted", exitStatus: 130)
        } catch {
            throw CommandFailure(message: "\(error)", exitStatus: 1)
        }
    }
}
