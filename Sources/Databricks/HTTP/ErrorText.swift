import Foundation

/// Error texts that say one thing once when one is embedded in another: no doubled full stops,
/// and advice only where it fits the cause.
public enum ErrorText {
    /// `error`'s description as a clause to embed mid-sentence: without its closing full stop.
    public static func clause(_ error: any Error) -> String {
        var text = "\(error)".trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// `text` as a sentence: ends with exactly one full stop (or its own ? ! …).
    public static func sentence(_ text: String) -> String {
        var text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix("..") { text.removeLast() }
        guard let last = text.last, !".!?…".contains(last) else { return text }
        return text + "."
    }

    /// True when the workspace answered and found fault with what was asked (a name it does not
    /// know, access it does not grant): advice about the name or the permissions fits. False for
    /// rejected credentials, server errors and requests that never got an answer, where it would mislead.
    public static func blamesTheRequest(_ error: any Error) -> Bool {
        guard let error = error as? DatabricksAPIError else { return false }
        return !error.isAuthenticationFailure && (400..<500).contains(error.status) && error.status != 429
    }
}
