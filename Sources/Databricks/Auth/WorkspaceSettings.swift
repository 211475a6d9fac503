/// Explicit workspace inputs: CLI flags or the `source:` block of `dbduck.yml`.
///
/// Everything left `nil` is looked up the way the Databricks SDKs do it (environment, then a
/// profile of `~/.databrickscfg`); see ``Workspace/resolve(_:environment:homeDirectory:)``.
public struct WorkspaceSettings: Sendable {
    public var host: String?
    public var token: String?
    public var clientID: String?
    public var clientSecret: String?
    public var profile: String?
    public var warehouseID: String?
    /// `pat` or `oauth-m2m`; forces that method even when other credentials are present.
    public var authType: String?
    /// Path of the Databricks config file (default `~/.databrickscfg`).
    public var configFile: String?
    /// A PEM file of extra trusted CA certificates, added to the system trust store.
    public var caFile: String?
    /// How these settings are named in error messages, e.g. "--token flag" style hints.
    public var origin: String

    public init(host: String? = nil, token: String? = nil, clientID: String? = nil, clientSecret: String? = nil,
                profile: String? = nil, warehouseID: String? = nil, authType: String? = nil,
                configFile: String? = nil, caFile: String? = nil, origin: String = "flags/config") {
        self.host = host; self.token = token; self.clientID = clientID; self.clientSecret = clientSecret
        self.profile = profile; self.warehouseID = warehouseID; self.authType = authType
        self.configFile = configFile; self.caFile = caFile; self.origin = origin
    }
}
