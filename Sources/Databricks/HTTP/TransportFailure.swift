import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Classifies transport-level failures (no HTTP status) as retryable or not, with a short,
/// secret-free reason that names what went wrong in words, never a library's internals.
enum TransportFailure {
    static func classify(_ error: any Error) -> (retryable: Bool, reason: String) {
        if error is CancellationError { return (false, "cancelled") }
        if let error = error as? NIOConnectionError { return connection(error) }
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled: return (false, "cancelled")
            case .connectTimeout: return (true, "connect timeout")
            case .readTimeout: return (true, "read timeout")
            case .writeTimeout: return (true, "write timeout")
            case .deadlineExceeded: return (true, "request deadline exceeded")
            case .remoteConnectionClosed: return (true, "connection closed by the server")
            case .tlsHandshakeTimeout: return (true, "TLS handshake timeout")
            case .getConnectionFromPoolTimeout: return (true, "no pooled connection in time")
            case .bodyLengthMismatch: return (true, "response body shorter than its Content-Length")
            case .uncleanShutdown: return (true, "connection reset during the response")
            case .alreadyShutdown: return (false, "HTTP client already shut down")
            case .invalidURL, .emptyHost, .emptyScheme: return (false, "invalid URL")
            default: return (true, "HTTP client error \(short(error))")
            }
        }
        if let error = error as? NIOSSLError { return (false, tls(error)) }
        if let error = error as? BoringSSLError { return (false, tls(error)) }
        if let error = error as? NIOSSLExtraError { return (false, tls(error)) }
        if let error = error as? IOError { return io(error) }
        if let error = error as? SocketAddressError { return (false, "cannot resolve the host name (\(short(error)))") }
        if let error = error as? ChannelError { return (true, "channel error: \(error)") }
        return (true, short(error))
    }

    /// Refused, unreachable or unknown: each said in words. A refusal is retried (a workspace may be
    /// restarting), briefly, by the policy's short first backoffs; an unknown host is not.
    private static func connection(_ error: NIOConnectionError) -> (retryable: Bool, reason: String) {
        if error.dnsAError != nil || error.dnsAAAAError != nil, error.connectionErrors.isEmpty {
            return (false, "cannot resolve the host name \(error.host) (DNS lookup failed); check the workspace URL")
        }
        let codes = error.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
        if codes.contains(ECONNREFUSED) {
            return (true, "connection refused by \(error.host) port \(error.port); check the workspace URL and that it is reachable from here")
        }
        if codes.contains(ENETUNREACH) || codes.contains(EHOSTUNREACH) {
            return (true, "\(error.host) port \(error.port) is unreachable from here (no route)")
        }
        if error.connectionErrors.isEmpty {
            return (false, "cannot resolve the host name \(error.host); check the workspace URL")
        }
        return (true, "cannot connect to \(error.host) port \(error.port)")
    }

    private static func io(_ error: IOError) -> (retryable: Bool, reason: String) {
        switch error.errnoCode {
        case ECONNREFUSED: return (true, "connection refused")
        case ECONNRESET: return (true, "connection reset by the peer")
        case EPIPE: return (true, "connection closed while sending")
        default: return (true, "I/O error: \(error.description)")
        }
    }

    /// TLS failures carry BoringSSL's reason codes (and build paths) in their text: only the
    /// reason is kept, with what it usually means.
    static func tls(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") || text.contains("PACKET_LENGTH_TOO_LONG") {
            return "TLS handshake failed: the server did not answer in TLS (if it serves plain HTTP, write its URL with http://)"
        }
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS handshake failed: the server's certificate is not trusted (pass its CA with --ca-file)"
        }
        if text.lowercased().contains("hostname") || text.contains("unableToValidateCertificate") {
            return "TLS handshake failed: the server's certificate is not for this host name"
        }
        let codes = text.matches(of: /[A-Z][A-Z0-9_]{5,}/).map { String($0.output) }
        return codes.isEmpty ? "TLS handshake failed" : "TLS handshake failed (\(codes.prefix(2).joined(separator: ", ")))"
    }

    private static func short(_ error: any Error) -> String {
        let text = "\(error)"
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
