import Foundation

/// The workspace refused an API request (an HTTP status other than 2xx).
///
/// Carries the status, Databricks' `error_code` (string or numeric) and message. Requests that
/// were rejected for authentication (401, or 403 with an invalid-token message) are
/// ``isAuthenticationFailure`` and their description says which credential to fix.
public struct DatabricksAPIError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var errorCode: String?
    public var message: String
    /// e.g. `POST /api/2.0/sql/statements`; never a query string.
    public var operation: String
    public var host: String
    /// Set for auth failures: where the credentials came from.
    public var credentialHint: String?
    public var attempts: Int
    /// 401, 403 with an invalid-token message, or a rejected OAuth client.
    public var isAuthenticationFailure: Bool

    public init(status: Int, errorCode: String?, message: String, operation: String, host: String,
                credentialHint: String?, attempts: Int, isAuthenticationFailure: Bool? = nil) {
        self.status = status; self.errorCode = errorCode; self.message = message; self.operation = operation
        self.host = host; self.credentialHint = credentialHint; self.attempts = attempts
        let lower = message.lowercased()
        self.isAuthenticationFailure = isAuthenticationFailure
            ?? (status == 401 || (status == 403 && (lower.contains("token") || lower.contains("credential")
                || errorCode == "403")))
    }

    public var description: String {
        // A numeric error_code repeats the status ("HTTP 403 403"): shown only when it adds something.
        let code = errorCode.flatMap { $0 == String(status) ? nil : " \($0)" } ?? ""
        var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(".") { text.removeLast() }
        text = text.isEmpty ? "" : ": \(text)"
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        if isAuthenticationFailure {
            return "Databricks rejected the credentials for \(host) (HTTP \(status)\(code)\(text)) on \(operation). "
                + ErrorText.sentence(credentialHint ?? "Check DATABRICKS_TOKEN or the profile in ~/.databrickscfg")
        }
        return "Databricks API \(operation) on \(host) failed with HTTP \(status)\(code)\(text)\(tries)."
    }
}

/// A request that never got an HTTP answer (connection refused or reset, timeout, TLS failure),
/// after all retries.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    /// Scheme, host and path only; never a query string (presigned URLs carry signatures there).
    public var target: String
    public var attempts: Int
    public var reason: String

    public var description: String {
        ErrorText.sentence("\(operation) to \(target) failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(reason)")
    }
}
