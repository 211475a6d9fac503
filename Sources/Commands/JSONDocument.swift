import Foundation
import Replication

/// What `--json` prints: always exactly one JSON document on stdout, whatever happened. Each
/// failure is an object in `errors` (a failed table with its source and target, or the whole run),
/// and `exitStatus` is the status the process exits with.
public enum JSONDocument {
    /// One failure: `kind` is `table` (that table failed alone), `run` (the run stopped), `usage`
    /// (the command line or config must change) or `interrupted` (Ctrl-C or SIGTERM).
    public struct ErrorObject: Codable, Sendable, Equatable {
        public var kind: String
        public var message: String
        public var source: String?
        public var target: String?
    }

    /// The run's summary, with one error object per failed table.
    public static func summary(_ summary: ReplicationSummary, exitStatus: Int32) throws -> String {
        let errors = summary.failed.map { table in
            ErrorObject(kind: table.error == interruptedMessage ? "interrupted" : "table",
                        message: table.error ?? "failed without an error message", source: table.source, target: table.target)
        }
        return try encode(SummaryDocument(summary: summary, exitStatus: exitStatus, errors: errors))
    }

    /// A command that stopped before it had anything else to report.
    public static func failure(_ failure: CommandFailure) -> String {
        let kind = failure.exitStatus == 64 ? "usage" : failure.exitStatus == 130 ? "interrupted" : "run"
        let document = FailureDocument(errors: [ErrorObject(kind: kind, message: failure.message)], exitStatus: failure.exitStatus)
        // Encoding strings and integers cannot fail; the fallback keeps the promise of one document anyway.
        return (try? encode(document)) ?? #"{"errors":[{"kind":"run","message":"unprintable error"}],"exitStatus":1}"#
    }

    /// The error a table interrupted by a signal carries.
    static let interruptedMessage = "interrupted"

    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The summary's own keys, and `errors` and `exitStatus` beside them.
    struct SummaryDocument: Encodable {
        var summary: ReplicationSummary
        var exitStatus: Int32
        var errors: [ErrorObject]

        enum Keys: String, CodingKey { case exitStatus, errors }

        func encode(to encoder: any Encoder) throws {
            try summary.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(exitStatus, forKey: .exitStatus)
            try container.encode(errors, forKey: .errors)
        }
    }

    struct FailureDocument: Encodable {
        var errors: [ErrorObject]
        var exitStatus: Int32
        var tables: [String] = []   // the same key a summary has, so readers need not special-case it
    }
}

extension CommandFailure {
    /// The failure, carrying its JSON document when `--json` asked for one.
    func documented(_ json: Bool) -> CommandFailure {
        var failure = self
        if json { failure.json = JSONDocument.failure(self) }
        return failure
    }
}
