import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// The one `HTTPClient` of a ``DatabricksClient``: keep-alive pooled connections, TLS with the
/// system trust store plus an optional CA file, connect/read timeouts, no redirects (a redirect
/// could carry the `Authorization` header to another host).
final class HTTPTransport: Sendable {
    let client: HTTPClient
    let userAgent: String

    init(options: ClientOptions, caFile: String?) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw WorkspaceConfigurationError.unreadableConfigFile(path: caFile, reason: "the CA file does not exist or is not readable")
            }
            tls.additionalTrustRoots = [.file(caFile)]
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            // Downloads have their own stall watchdog; the client's read timeout must not cut them sooner.
            timeout: .init(connect: options.connectTimeout.timeAmount,
                           read: max(options.readTimeout, options.stallTimeout).timeAmount),
            connectionPool: .init(idleTimeout: options.idleConnectionTimeout.timeAmount,
                                  concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, options.downloadParallelism * 2)),
            decompression: .disabled)
        configuration.httpVersion = .automatic
        // A refused connection or an unknown host fails the request at once, so the retry policy
        // (which knows such failures are not worth a long wait) decides, and the user hears why.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        userAgent = options.userAgent
    }

    func shutdown() async throws { try await client.shutdown() }

    /// Sends a request and collects the whole body (at most `maxBodyBytes`).
    func send(_ request: HTTPClientRequest, timeout: Duration, maxBodyBytes: Int = 256 << 20) async throws -> HTTPResponseData {
        var request = request
        request.headers.replaceOrAdd(name: "User-Agent", value: userAgent)
        let response = try await client.execute(request, timeout: timeout.timeAmount)
        let body = try await response.body.collect(upTo: maxBodyBytes)
        return HTTPResponseData(status: Int(response.status.code), headers: response.headers, body: body)
    }

    /// Sends a request and returns the response with its body still streaming.
    func open(_ request: HTTPClientRequest, timeout: Duration) async throws -> HTTPClientResponse {
        var request = request
        request.headers.replaceOrAdd(name: "User-Agent", value: userAgent)
        return try await client.execute(request, timeout: timeout.timeAmount)
    }
}

/// A fully received HTTP response.
struct HTTPResponseData: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer

    /// `Retry-After` in seconds, when present and a number (an HTTP-date form is ignored).
    var retryAfter: Duration? { headers.retryAfter }
}

extension HTTPHeaders {
    var retryAfter: Duration? {
        guard let value = first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        return nil
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// Presigned URLs carry credentials in their query string: only scheme, host and path are ever shown.
enum RedactedURL {
    static func describe(_ url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host else { return "<external link>" }
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(components.scheme ?? "https")://\(host)\(port)\(components.path)"
    }
}
