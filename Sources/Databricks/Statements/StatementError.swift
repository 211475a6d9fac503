import Timing

/// A statement that ended FAILED, CANCELED or CLOSED, with the server's error code, message and SQL state.
public struct StatementError: Error, Sendable, CustomStringConvertible {
    public var statementID: String
    /// FAILED, CANCELED or CLOSED.
    public var state: String
    /// e.g. `BAD_REQUEST`, `INVALID_PARAMETER_VALUE`.
    public var errorCode: String?
    public var message: String
    public var sqlState: String?

    public init(statementID: String, state: String, errorCode: String?, message: String, sqlState: String?) {
        self.statementID = statementID; self.state = state; self.errorCode = errorCode
        self.message = message; self.sqlState = sqlState
    }

    public var description: String {
        let code = errorCode.map { "[\($0)] " } ?? ""
        let sql = sqlState.map { " (SQLSTATE \($0))" } ?? ""
        let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        switch state {
        case "FAILED":
            return "Statement \(statementID) failed: \(code)\(text.isEmpty ? "no message" : text)\(sql)"
        case "CANCELED":
            return "Statement \(statementID) was canceled\(text.isEmpty ? "" : ": \(text)")."
        default:
            return "Statement \(statementID) ended \(state)\(text.isEmpty ? "" : ": \(code)\(text)")\(sql); its results are gone."
        }
    }
}

/// The warehouse left a statement PENDING for the whole stall timeout: it did not start running it.
public struct StatementStalledError: Error, Sendable, CustomStringConvertible {
    public var statementID: String
    public var waited: Duration

    public init(statementID: String, waited: Duration) { self.statementID = statementID; self.waited = waited }

    public var description: String {
        "the warehouse kept statement \(statementID) PENDING for \(Int(waited.seconds)) s without starting it "
            + "(it is stopped, still starting, or at its limit of concurrent statements). "
            + "Check the warehouse in the Databricks UI, or raise stall_timeout in dbduck.yml if it needs longer to start"
    }
}
