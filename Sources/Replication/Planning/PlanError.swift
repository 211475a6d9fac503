import Databricks

/// A plan that cannot run: what is wrong and what to do, before anything is copied.
public struct PlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A table the warehouse cannot serve (missing, unreadable, no version): it fails alone.
struct TableUnavailable: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }

    /// The table's own failure when the warehouse answered about this request (no such table, no
    /// access); otherwise the workspace itself failed (unreachable, credentials rejected) and the
    /// whole run stops with the message, as every table would fail the same way.
    static func orRunFailure(_ error: any Error, _ message: String) -> any Error {
        ErrorText.blamesTheRequest(error) ? TableUnavailable(message) : RunFailure(message)
    }
}

/// The workspace cannot serve this run at all; said once, exit 1.
public struct RunFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A selected table that will not be copied this run, and why.
public struct UnavailableTable: Sendable, Equatable, Codable {
    public var source: String
    public var target: String
    public var reason: String
}
