import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import Timing

/// A client for one Databricks workspace: SQL statements on a warehouse (Statement Execution API
/// 2.0), their results as ordered chunks, and Unity Catalog metadata.
///
/// ```swift
/// let workspace = try Workspace.resolve(WorkspaceSettings())
/// let client = try DatabricksClient(workspace: workspace)
/// defer { Task { try await client.shutdown() } }
/// let result = try await client.execute(StatementRequest("SELECT 1"))
/// for try await chunk in client.chunks(of: result) { … }
/// ```
/// Call ``shutdown()`` when done: it closes the pooled connections.
public final class DatabricksClient: Sendable {
    public let workspace: Workspace
    public let options: ClientOptions
    let api: WorkspaceAPI
    let logger: Logger
    /// The warehouse refused `INLINE_OR_EXTERNAL_LINKS` once: every later statement asks for links.
    let hybridRefused = Mutex(false)

    /// - Throws: ``WorkspaceConfigurationError`` when the CA file cannot be read.
    public init(workspace: Workspace, options: ClientOptions = ClientOptions(), observer: (any TransferObserver)? = nil,
                logger: Logger = .silent) throws {
        self.workspace = workspace
        self.options = options
        self.logger = logger
        let transport = try HTTPTransport(options: options, caFile: workspace.caFile)
        api = WorkspaceAPI(workspace: workspace, transport: transport, options: options, observer: observer, logger: logger)
    }

    /// Closes pooled connections. The client is unusable afterwards.
    public func shutdown() async throws {
        try await api.transport.shutdown()
    }

    var observer: (any TransferObserver)? { api.observer }
}
