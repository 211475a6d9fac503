import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import Timing

/// OAuth M2M (client credentials) access tokens for one workspace, cached and refreshed before
/// they expire, as databricks-sdk 0.162.0 does it (docs/databricks-api.md, "Authentication"):
/// `GET /.well-known/databricks-config` → `oidc_endpoint`; its
/// `/.well-known/oauth-authorization-server` → `token_endpoint`; `POST` there with HTTP Basic
/// client credentials and `grant_type=client_credentials&scope=all-apis`.
actor OAuthTokenSource {
    struct Token: Sendable {
        var header: Secret          // "<token_type> <access_token>"
        var expiry: ContinuousClock.Instant
    }

    private let host: String
    private let clientID: String
    private let clientSecret: Secret
    private let discoveryURL: String?
    private let credentialSource: String
    private let transport: HTTPTransport
    private let policy: RetryPolicy
    private let logger: Logger
    private let observer: (any TransferObserver)?
    private var token: Token?
    private var refreshing: Task<Token, any Error>?
    private var tokenEndpoint: String?
    /// From discovery; sent as `X-Databricks-Workspace-Id`.
    private(set) var workspaceID: String?
    /// Tokens count as expired this long before their `expires_in` (the SDK uses 40 s).
    static let expiryMargin: Duration = .seconds(40)

    init(host: String, clientID: String, clientSecret: Secret, discoveryURL: String?, credentialSource: String,
         transport: HTTPTransport, policy: RetryPolicy, observer: (any TransferObserver)?, logger: Logger) {
        self.host = host; self.clientID = clientID; self.clientSecret = clientSecret; self.discoveryURL = discoveryURL
        self.credentialSource = credentialSource; self.transport = transport; self.policy = policy
        self.observer = observer; self.logger = logger
    }

    /// The `Authorization` header value, refreshing the token when it expires within the margin.
    func authorization() async throws -> (header: Secret, workspaceID: String?) {
        if let token, ContinuousClock.now < token.expiry - Self.expiryMargin { return (token.header, workspaceID) }
        if let refreshing { return (try await refreshing.value.header, workspaceID) }
        let task = Task { try await self.fetchToken() }
        refreshing = task
        defer { refreshing = nil }
        let fresh = try await task.value
        token = fresh
        return (fresh.header, workspaceID)
    }

    /// Forget the cached token (the workspace answered 401 with it).
    func invalidate() { token = nil }

    private func fetchToken() async throws -> Token {
        let endpoint = try await resolveTokenEndpoint()
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        let basic = Data("\(clientID):\(clientSecret.exposedValue)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(basic)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: "grant_type=client_credentials&scope=all-apis"))
        let path = RedactedURL.describe(endpoint)
        let response = try await send(request, operation: "POST \(path)")
        guard (200..<300).contains(response.status) else {
            let (code, message) = Self.oauthError(response.body)
            throw DatabricksAPIError(status: response.status, errorCode: code, message: message,
                                     operation: "OAuth token request (POST \(path))", host: host,
                                     credentialHint: response.status == 401 || response.status == 400
                                        ? "Check the client id and secret from \(credentialSource)." : nil,
                                     attempts: 1, isAuthenticationFailure: response.status == 400 || response.status == 401)
        }
        struct TokenResponse: Decodable {
            var access_token: String
            var token_type: String?
            var expires_in: FlexibleInt?
        }
        let decoded: TokenResponse
        do { decoded = try JSONDecoder().decode(TokenResponse.self, from: response.body) } catch {
            throw DatabricksAPIError(status: response.status, errorCode: nil,
                                     message: "the token response is not the expected JSON (access_token, token_type, expires_in)",
                                     operation: "OAuth token request (POST \(path))", host: host, credentialHint: nil, attempts: 1)
        }
        let lifetime = Duration.seconds(decoded.expires_in?.value ?? 3600)
        logger.debug("oauth token obtained", metadata: ["expires_in.s": "\(decoded.expires_in?.value ?? 3600)"])
        return Token(header: Secret("\(decoded.token_type ?? "Bearer") \(decoded.access_token)"),
                     expiry: .now + lifetime)
    }

    private func resolveTokenEndpoint() async throws -> String {
        if let tokenEndpoint { return tokenEndpoint }
        var discovery = discoveryURL
        if discovery == nil {
            // Newer SDKs ask the host for its OIDC endpoint first; older ones and JDBC go straight
            // to {host}/oidc. Either works against Databricks.
            var request = HTTPClientRequest(url: host + "/.well-known/databricks-config")
            request.headers.add(name: "Accept", value: "application/json")
            if let response = try? await send(request, operation: "GET /.well-known/databricks-config"),
               response.status == 200,
               let config = try? JSONDecoder().decode(HostMetadata.self, from: response.body) {
                workspaceID = config.workspace_id
                if let oidc = config.oidc_endpoint { discovery = oidc.trimmingTrailingSlash + "/.well-known/oauth-authorization-server" }
            }
        }
        let url = discovery ?? host + "/oidc/.well-known/oauth-authorization-server"
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let operation = "GET \(RedactedURL.describe(url))"
        let response = try await send(request, operation: operation)
        struct Metadata: Decodable { var token_endpoint: String }
        guard response.status == 200, let metadata = try? JSONDecoder().decode(Metadata.self, from: response.body) else {
            throw DatabricksAPIError(status: response.status, errorCode: nil,
                                     message: "OIDC discovery did not return a token_endpoint; set DATABRICKS_DISCOVERY_URL if the workspace uses another one",
                                     operation: operation, host: host, credentialHint: nil, attempts: 1)
        }
        tokenEndpoint = metadata.token_endpoint
        return metadata.token_endpoint
    }

    private struct HostMetadata: Decodable {
        var oidc_endpoint: String?
        var workspace_id: String?
    }

    /// One request with the standard retry rules (429/503/5xx and connection errors).
    private func send(_ request: HTTPClientRequest, operation: String) async throws -> HTTPResponseData {
        let target = RedactedURL.describe(request.url)
        return try await withRetries(policy: policy, observer: observer, logger: logger, operation: operation) { attempt in
            let start = ContinuousClock.now
            do {
                let response = try await transport.send(request, timeout: .seconds(60), maxBodyBytes: 1 << 20)
                observer?.record(TransferEvent(phase: .request, start: start, duration: start.duration(to: .now),
                                               bytes: response.body.readableBytes, detail: operation))
                if response.status == 429 || response.status >= 500 {
                    let (code, message) = Self.oauthError(response.body)
                    return .retry(cause: "HTTP \(response.status)", retryAfter: response.retryAfter,
                                  error: DatabricksAPIError(status: response.status, errorCode: code, message: message,
                                                            operation: operation, host: host, credentialHint: nil, attempts: attempt))
                }
                return .success(response)
            } catch {
                let (retryable, reason) = TransportFailure.classify(error)
                let failure = TransportError(operation: operation, target: target, attempts: attempt, reason: reason)
                guard retryable else { throw failure }
                return .retry(cause: reason, retryAfter: nil, error: failure)
            }
        }
    }

    /// `{error, error_description}` or `{errorCode, errorSummary}`: both shapes occur.
    static func oauthError(_ body: ByteBuffer) -> (String?, String) {
        struct Body: Decodable {
            var error: String?; var error_description: String?; var errorCode: String?; var errorSummary: String?
            var error_code: String?; var message: String?
        }
        guard let parsed = try? JSONDecoder().decode(Body.self, from: body) else {
            return (nil, String(buffer: body).prefix(200).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return (parsed.error ?? parsed.errorCode ?? parsed.error_code,
                parsed.error_description ?? parsed.errorSummary ?? parsed.message ?? "")
    }
}

/// An integer that may arrive as a JSON number or a string (`expires_in`).
struct FlexibleInt: Decodable, Sendable {
    var value: Int64
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) { value = number; return }
        if let double = try? container.decode(Double.self) { value = Int64(double); return }
        let text = try container.decode(String.self)
        guard let number = Int64(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an integer")
        }
        value = number
    }
}

extension String {
    var trimmingTrailingSlash: String {
        var copy = self
        while copy.hasSuffix("/") { copy.removeLast() }
        return copy
    }
}

