import Foundation

/// How dbduck authenticates to a workspace.
public enum Credentials: Sendable, CustomStringConvertible {
    /// A personal access token, sent as `Authorization: Bearer <token>`.
    case personalAccessToken(Secret)
    /// OAuth machine-to-machine: a service principal's client id and secret, exchanged at
    /// `/oidc/v1/token` for short-lived access tokens.
    case oauthM2M(clientID: String, clientSecret: Secret)

    public var description: String {
        switch self {
        case .personalAccessToken: return "pat(token redacted)"
        case .oauthM2M(let clientID, _): return "oauth-m2m(client_id \(clientID), secret redacted)"
        }
    }
}

/// A resolved workspace: normalised host, credentials and the default warehouse.
///
/// Build one with ``resolve(_:environment:homeDirectory:)``, which follows Databricks unified
/// authentication (docs/databricks-api.md, "Authentication"). `description` never shows a secret.
public struct Workspace: Sendable, CustomStringConvertible {
    /// Normalised, e.g. `https://adb-1.2.azuredatabricks.net` or `http://127.0.0.1:8123`.
    public var host: String
    public var warehouseID: String?
    public var credentials: Credentials
    /// Where the credentials came from, for error messages: `DATABRICKS_TOKEN`, `profile [prod] in /root/.databrickscfg`…
    public var credentialSource: String
    /// The config-file profile that supplied values, if any.
    public var profile: String?
    public var caFile: String?
    /// OIDC discovery override (`DATABRICKS_DISCOVERY_URL` / `discovery_url`).
    public var discoveryURL: String?
    /// Said in the verbose log when the host was completed, e.g. `https://` added to a bare name.
    public var hostNote: String?

    /// `"pat"` or `"oauth-m2m"`.
    public var authKind: String {
        switch credentials {
        case .personalAccessToken: return "pat"
        case .oauthM2M: return "oauth-m2m"
        }
    }

    public init(host: String, credentials: Credentials, warehouseID: String? = nil, credentialSource: String = "explicit",
                profile: String? = nil, caFile: String? = nil, discoveryURL: String? = nil) {
        self.host = host; self.credentials = credentials; self.warehouseID = warehouseID
        self.credentialSource = credentialSource; self.profile = profile; self.caFile = caFile
        self.discoveryURL = discoveryURL
    }

    public var description: String {
        var parts = ["host: \(host)", "auth: \(authKind) from \(credentialSource)"]
        if let warehouseID { parts.append("warehouse: \(warehouseID)") }
        if let profile { parts.append("profile: \(profile)") }
        if let caFile { parts.append("ca_file: \(caFile)") }
        return "Workspace(\(parts.joined(separator: ", ")))"
    }

    /// A hint for "the server rejected these credentials" errors: which setting to fix.
    var credentialFixHint: String {
        switch credentials {
        case .personalAccessToken: return "Check the token from \(credentialSource)."
        case .oauthM2M: return "Check the client id and secret from \(credentialSource)."
        }
    }
}

// MARK: - Resolution

extension Workspace {
    /// Resolves host, credentials and warehouse as the Databricks SDKs do.
    ///
    /// Order: `settings` (flags/config) → environment (`DATABRICKS_HOST`, `DATABRICKS_TOKEN`,
    /// `DATABRICKS_CLIENT_ID`/`_SECRET`, `DATABRICKS_CONFIG_PROFILE`, `DATABRICKS_CONFIG_FILE`,
    /// `DATABRICKS_AUTH_TYPE`, `DATABRICKS_WAREHOUSE_ID`) → one profile of the config file, whose
    /// values never overwrite ones already set. The file is skipped when no profile is named and a
    /// host or credential is already set. Profile choice: explicit, then `[__settings__]
    /// default_profile`, then `[DEFAULT]`.
    ///
    /// ```swift
    /// let workspace = try Workspace.resolve(WorkspaceSettings(profile: "prod"))
    /// ```
    /// - Throws: ``WorkspaceConfigurationError`` naming what was tried and where to fix it.
    public static func resolve(_ settings: WorkspaceSettings,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               homeDirectory: String? = nil) throws(WorkspaceConfigurationError) -> Workspace {
        var fields = ResolvedFields()
        fields.fill(from: settings)
        fields.fill(fromEnvironment: environment)
        let home = homeDirectory ?? environment["HOME"] ?? NSHomeDirectory()
        let fileNote = try fields.fill(fromConfigFileIn: home)

        var tried = [settings.origin, "environment (DATABRICKS_HOST)"]
        if let fileNote { tried.append(fileNote) }
        guard let rawHost = fields.host else { throw .missingHost(tried: tried) }
        let host = try normalizeHost(rawHost.value)

        let credentials = try fields.credentials(host: host, settingsOrigin: settings.origin, fileNote: fileNote)
        var workspace = Workspace(host: host, credentials: credentials.0, warehouseID: fields.warehouseID?.value,
                                  credentialSource: credentials.1, profile: fields.loadedProfile, caFile: fields.caFile?.value,
                                  discoveryURL: fields.discoveryURL?.value)
        if !rawHost.value.contains("://") {
            workspace.hostNote = "the host from \(rawHost.source) has no scheme; using \(host)"
        }
        return workspace
    }

    /// `https://` added when no scheme is given; reduced to `scheme://host[:port]` (path, query and
    /// fragment dropped, `:443` removed). Plain `http://` is accepted only for loopback hosts.
    ///
    /// - Throws: ``WorkspaceConfigurationError/invalidHost(_:reason:)``.
    public static func normalizeHost(_ raw: String) throws(WorkspaceConfigurationError) -> String {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let withScheme = trimmed.contains("://") ? trimmed : "https://" + trimmed
        guard let components = URLComponents(string: withScheme), let scheme = components.scheme?.lowercased(),
              var hostName = components.host, !hostName.isEmpty else {
            throw .invalidHost(raw, reason: "expected a URL like https://adb-123.4.azuredatabricks.net")
        }
        hostName = hostName.lowercased()
        if hostName.hasPrefix("[") && hostName.hasSuffix("]") { hostName = String(hostName.dropFirst().dropLast()) }
        switch scheme {
        case "https": break
        case "http":
            guard isLoopback(hostName) else {
                throw .invalidHost(raw, reason: "plain http:// is only allowed for loopback hosts (emulators); use https://")
            }
        default:
            throw .invalidHost(raw, reason: "the scheme must be https:// (or http:// for a local emulator), not \(scheme)://")
        }
        var netloc = hostName.contains(":") ? "[\(hostName)]" : hostName
        if let port = components.port, !(scheme == "https" && port == 443) { netloc += ":\(port)" }
        return "\(scheme)://\(netloc)"
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host.hasSuffix(".localhost") { return true }
        let octets = host.split(separator: ".")
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

/// One configuration value and where it came from.
struct SourcedValue: Sendable {
    var value: String
    var source: String
}

/// The fields unified auth resolves, each with its source.
struct ResolvedFields {
    var host, token, clientID, clientSecret, profile, configFile, warehouseID, authType, caFile, discoveryURL: SourcedValue?
    /// The profile whose values were loaded (explicit or `default_profile`; nil for a `DEFAULT` fallback).
    var loadedProfile: String?

    private static var keyPaths: [(key: String, env: String, path: WritableKeyPath<ResolvedFields, SourcedValue?>)] { [
        ("host", "DATABRICKS_HOST", \.host),
        ("token", "DATABRICKS_TOKEN", \.token),
        ("client_id", "DATABRICKS_CLIENT_ID", \.clientID),
        ("client_secret", "DATABRICKS_CLIENT_SECRET", \.clientSecret),
        ("profile", "DATABRICKS_CONFIG_PROFILE", \.profile),
        ("config_file", "DATABRICKS_CONFIG_FILE", \.configFile),
        ("warehouse_id", "DATABRICKS_WAREHOUSE_ID", \.warehouseID),
        ("auth_type", "DATABRICKS_AUTH_TYPE", \.authType),
        ("discovery_url", "DATABRICKS_DISCOVERY_URL", \.discoveryURL),
    ] }

    private mutating func setIfUnset(_ path: WritableKeyPath<ResolvedFields, SourcedValue?>, _ value: String?, source: String) {
        guard self[keyPath: path] == nil, let value, !value.isEmpty else { return }
        self[keyPath: path] = SourcedValue(value: value, source: source)
    }

    mutating func fill(from settings: WorkspaceSettings) {
        let origin = settings.origin
        setIfUnset(\.host, settings.host, source: "\(origin) (host)")
        setIfUnset(\.token, settings.token, source: "\(origin) (token)")
        setIfUnset(\.clientID, settings.clientID, source: "\(origin) (client id)")
        setIfUnset(\.clientSecret, settings.clientSecret, source: "\(origin) (client secret)")
        setIfUnset(\.profile, settings.profile, source: "\(origin) (profile)")
        setIfUnset(\.configFile, settings.configFile, source: "\(origin) (config file)")
        setIfUnset(\.warehouseID, settings.warehouseID, source: "\(origin) (warehouse id)")
        setIfUnset(\.authType, settings.authType, source: "\(origin) (auth type)")
        setIfUnset(\.caFile, settings.caFile, source: "\(origin) (CA file)")
    }

    mutating func fill(fromEnvironment environment: [String: String]) {
        for entry in Self.keyPaths { setIfUnset(entry.path, environment[entry.env], source: entry.env) }
    }

    var anyAuthConfigured: Bool { token != nil || clientID != nil || clientSecret != nil }

    /// Loads one profile of the config file into the unset fields. Returns a note for error
    /// messages describing what happened with the file (or nil when it was skipped).
    mutating func fill(fromConfigFileIn home: String) throws(WorkspaceConfigurationError) -> String? {
        if profile == nil && (anyAuthConfigured || host != nil) { return nil }
        var path = configFile?.value ?? "~/.databrickscfg"
        if path == "~" { path = home } else if path.hasPrefix("~/") { path = home + path.dropFirst(1) }
        let explicitProfile = profile?.value
        guard let file = try ConfigFile.load(path: path) else {
            if let explicitProfile {
                throw .missingProfile(explicitProfile, path: path, fileExists: false, available: [])
            }
            return "\(path) (not found)"
        }
        let chosen: String
        let isFallback: Bool
        if let explicitProfile {
            chosen = explicitProfile; isFallback = false
        } else if let named = file.defaultProfile {
            chosen = named; isFallback = false
        } else if !(file.sections["DEFAULT"] ?? [:]).isEmpty {
            chosen = "DEFAULT"; isFallback = true
        } else {
            return "\(path) (no profile named and no [DEFAULT] profile)"
        }
        if chosen == ConfigFile.settingsSection { throw .reservedProfileName(chosen) }
        guard let values = file.sections[chosen], chosen != "DEFAULT" || !values.isEmpty else {
            if isFallback { return "\(path) (no [DEFAULT] profile)" }
            throw .missingProfile(chosen, path: path, fileExists: true, available: file.profileNames)
        }
        let source = "profile [\(chosen)] in \(path)"
        for entry in Self.keyPaths where entry.key != "profile" && entry.key != "config_file" {
            setIfUnset(entry.path, values[entry.key], source: source)
        }
        setIfUnset(\.caFile, values["ca_file"], source: source)
        loadedProfile = isFallback ? nil : chosen
        return source
    }

    /// Picks the credential method: `auth_type` when set, else PAT, else OAuth M2M.
    func credentials(host: String, settingsOrigin: String, fileNote: String?) throws(WorkspaceConfigurationError)
        -> (Credentials, String)
    {
        if let authType {
            switch authType.value.lowercased() {
            case "pat":
                guard let token else {
                    throw .incompleteCredentials(authType: "pat", missing: ["a token"],
                                                 hint: "Set DATABRICKS_TOKEN or token in the profile.")
                }
                return (.personalAccessToken(Secret(token.value)), token.source)
            case "oauth-m2m":
                return try oauth(required: true)
            default:
                throw .unsupportedAuthType(authType.value, source: authType.source)
            }
        }
        var methods: [String] = [], sources: [String] = []
        if let token { methods.append("pat"); sources.append(token.source) }
        if clientID != nil || clientSecret != nil {
            methods.append("oauth")
            sources.append(contentsOf: [clientID?.source, clientSecret?.source].compactMap { $0 })
        }
        if methods.count > 1 {
            var unique: [String] = []
            for source in sources where !unique.contains(source) { unique.append(source) }
            throw .conflictingCredentials(methods: methods, sources: unique)
        }
        if let token { return (.personalAccessToken(Secret(token.value)), token.source) }
        if clientID != nil || clientSecret != nil { return try oauth(required: true) }
        var tried = [settingsOrigin, "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET"]
        tried.append(fileNote ?? "~/.databrickscfg (skipped: host set without a profile)")
        throw .missingCredentials(host: host, tried: tried)
    }

    private func oauth(required: Bool) throws(WorkspaceConfigurationError) -> (Credentials, String) {
        var missing: [String] = []
        if clientID == nil { missing.append("a client id (DATABRICKS_CLIENT_ID)") }
        if clientSecret == nil { missing.append("a client secret (DATABRICKS_CLIENT_SECRET)") }
        guard let clientID, let clientSecret, missing.isEmpty else {
            throw .incompleteCredentials(authType: "oauth-m2m", missing: missing,
                                         hint: "Set both, or client_id and client_secret in the profile.")
        }
        let source = clientID.source == clientSecret.source ? clientID.source : "\(clientID.source) + \(clientSecret.source)"
        return (.oauthM2M(clientID: clientID.value, clientSecret: Secret(clientSecret.value)), source)
    }
}
