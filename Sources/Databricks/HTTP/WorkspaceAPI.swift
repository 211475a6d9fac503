import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Timing

/// How a request may be retried.
enum RequestKind: Sendable {
    /// `POST /sql/statements`: retried on 429/503 and connection errors only; a 500 means the
    /// statement may have run, so it is not repeated.
    case execute
    /// Reads and idempotent calls (status, chunk links, cancel, close, metadata): also 500/502/504.
    case idempotent
}

/// Authorized JSON calls to the workspace REST API, with retries and observer events.
final class WorkspaceAPI: Sendable {
    let workspace: Workspace
    let transport: HTTPTransport
    let options: ClientOptions
    let observer: (any TransferObserver)?
    let logger: Logger
    private let oauth: OAuthTokenSource?

    init(workspace: Workspace, transport: HTTPTransport, options: ClientOptions, observer: (any TransferObserver)?,
         logger: Logger) {
        self.workspace = workspace; self.transport = transport; self.options = options
        self.observer = observer; self.logger = logger
        if case .oauthM2M(let clientID, let secret) = workspace.credentials {
            oauth = OAuthTokenSource(host: workspace.host, clientID: clientID, clientSecret: secret,
                                     discoveryURL: workspace.discoveryURL, credentialSource: workspace.credentialSource,
                                     transport: transport, policy: options.retry, observer: observer, logger: logger)
        } else {
            oauth = nil
        }
    }

    private func addAuthorization(to headers: inout HTTPHeaders) async throws {
        switch workspace.credentials {
        case .personalAccessToken(let token):
            headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token.exposedValue)")
        case .oauthM2M:
            guard let oauth else { return }
            let (header, workspaceID) = try await oauth.authorization()
            headers.replaceOrAdd(name: "Authorization", value: header.exposedValue)
            if let workspaceID { headers.replaceOrAdd(name: "X-Databricks-Workspace-Id", value: workspaceID) }
        }
    }

    /// Calls the API and decodes a 2xx JSON answer.
    func call<Response: Decodable>(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [],
                                   body: (any Encodable & Sendable)? = nil, kind: RequestKind = .idempotent,
                                   table: String? = nil, timeout: Duration = .seconds(120),
                                   as type: Response.Type = Response.self) async throws -> Response {
        let response = try await send(method, path, query: query, body: body, kind: kind, table: table, timeout: timeout)
        do {
            return try JSONDecoder().decode(Response.self, from: response.body)
        } catch {
            throw DatabricksAPIError(status: response.status, errorCode: nil,
                                     message: "unexpected response body (\(Self.decodingSummary(error)))",
                                     operation: "\(method.rawValue) \(path)", host: workspace.host, credentialHint: nil,
                                     attempts: 1)
        }
    }

    /// Sends a request and returns a 2xx response; anything else throws after the retry rules.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: (any Encodable & Sendable)? = nil,
              kind: RequestKind = .idempotent, table: String? = nil, timeout: Duration = .seconds(120)) async throws
        -> HTTPResponseData
    {
        let operation = "\(method.rawValue) \(path)"
        var url = workspace.host + path
        if !query.isEmpty {
            var components = URLComponents()
            components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
            url += "?" + (components.percentEncodedQuery ?? "")
        }
        let encodedBody: ByteBuffer?
        if let body {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encodedBody = ByteBuffer(data: try encoder.encode(body))
        } else {
            encodedBody = nil
        }
        var refreshedToken = false
        return try await withRetries(policy: options.retry, observer: observer, logger: logger, table: table,
                                     operation: operation) { attempt in
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "Accept", value: "application/json")
            if let encodedBody {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(encodedBody)
            }
            try await addAuthorization(to: &request.headers)
            let start = ContinuousClock.now
            let response: HTTPResponseData
            do {
                response = try await transport.send(request, timeout: timeout)
            } catch {
                let (retryable, reason) = TransportFailure.classify(error)
                if error is CancellationError || Task.isCancelled { throw CancellationError() }
                let failure = TransportError(operation: operation, target: workspace.host, attempts: attempt, reason: reason)
                guard retryable else { throw failure }
                return .retry(cause: reason, retryAfter: nil, error: failure)
            }
            // The execute call waits on the server for the statement (wait_timeout): that time is the
            // warehouse's, reported once as warehouseWait, not as a slow request.
            if kind != .execute {
                observer?.record(TransferEvent(phase: .request, table: table, start: start, duration: start.duration(to: .now),
                                               bytes: response.body.readableBytes, detail: "\(operation) → \(response.status)"))
            }
            logger.trace("databricks request", metadata: ["http.method": "\(method.rawValue)", "http.path": "\(path)",
                                                         "http.status": "\(response.status)",
                                                         "bytes": "\(response.body.readableBytes)"])
            if (200..<300).contains(response.status) { return .success(response) }
            let error = apiError(response, operation: operation, attempts: attempt)
            switch response.status {
            case 429, 503:
                return .retry(cause: "HTTP \(response.status)", retryAfter: response.retryAfter, error: error)
            case 500, 502, 504:
                // A 500 on execute may mean the statement ran: repeating it could run it twice.
                guard kind == .idempotent else { throw error }
                return .retry(cause: "HTTP \(response.status)", retryAfter: response.retryAfter, error: error)
            case 401 where oauth != nil && !refreshedToken:
                // The cached OAuth token may have been revoked or expired early: fetch a new one once.
                refreshedToken = true
                await oauth?.invalidate()
                return .retry(cause: "HTTP 401 (refreshing the OAuth token)", retryAfter: .zero, error: error)
            default:
                throw error
            }
        }
    }

    func apiError(_ response: HTTPResponseData, operation: String, attempts: Int) -> DatabricksAPIError {
        let (code, message) = Self.parseErrorBody(response.body)
        return DatabricksAPIError(status: response.status, errorCode: code, message: message, operation: operation,
                                  host: workspace.host, credentialHint: workspace.credentialFixHint, attempts: attempts)
    }

    /// Databricks error bodies: `{"error_code": "X" | 401, "message": ".."}`, `{"error": ".."}`, or text.
    static func parseErrorBody(_ body: ByteBuffer) -> (String?, String) {
        if let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] {
            var code: String?
            if let text = object["error_code"] as? String { code = text }
            else if let number = object["error_code"] as? NSNumber { code = number.stringValue }
            let message = (object["message"] as? String) ?? (object["error"] as? String)
                ?? (object["detail"] as? String) ?? ""
            return (code, clip(message))
        }
        let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
        if let colon = text.firstIndex(of: ":"), text[..<colon].allSatisfy({ $0.isUppercase || $0 == "_" }), colon != text.startIndex {
            return (String(text[..<colon]), clip(text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return (nil, clip(text))
    }

    static func clip(_ text: String) -> String { text.count > 500 ? String(text.prefix(500)) + "…" : text }

    static func decodingSummary(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: return "missing field \(key.stringValue)"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?, .dataCorrupted(let context)?:
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "bad value at \(path.isEmpty ? "top level" : path)"
        default: return "not JSON"
        }
    }
}
