/// Why a workspace (host, credentials, warehouse) could not be resolved. Every message names what
/// was tried and where to fix it; none contains a secret.
public enum WorkspaceConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No host anywhere. `tried` lists the places looked at.
    case missingHost(tried: [String])
    /// A host that is not a valid URL, or plain `http://` to a non-loopback host.
    case invalidHost(String, reason: String)
    /// A host but no usable credentials. `tried` lists the sources looked at.
    case missingCredentials(host: String, tried: [String])
    /// Credentials of more than one method (e.g. a token and a client id) and no auth type chosen.
    case conflictingCredentials(methods: [String], sources: [String])
    /// `auth_type` forces a method whose fields are missing, or names an unsupported method.
    case incompleteCredentials(authType: String, missing: [String], hint: String)
    case unsupportedAuthType(String, source: String)
    /// A named profile that the config file does not have (or the file is missing).
    case missingProfile(String, path: String, fileExists: Bool, available: [String])
    case malformedConfigFile(path: String, line: Int, reason: String)
    case unreadableConfigFile(path: String, reason: String)
    case reservedProfileName(String)
    /// A statement needs a warehouse and none was configured.
    case missingWarehouse(host: String)

    public var description: String {
        switch self {
        case .missingHost(let tried):
            return "No Databricks host configured (tried \(tried.joined(separator: ", "))). "
                + "Set DATABRICKS_HOST, pass --host, or add host = https://<workspace> to a profile in ~/.databrickscfg."
        case .invalidHost(let host, let reason):
            return "Databricks host '\(host)' is not usable: \(reason)."
        case .missingCredentials(let host, let tried):
            return "No credentials for \(host) (tried \(tried.joined(separator: ", "))). "
                + "Set DATABRICKS_TOKEN (personal access token) or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET "
                + "(OAuth service principal), or add token = … to a profile in ~/.databrickscfg."
        case .conflictingCredentials(let methods, let sources):
            return "More than one authorization method configured: \(methods.joined(separator: " and ")) "
                + "(from \(sources.joined(separator: ", "))). Remove one, or choose with DATABRICKS_AUTH_TYPE "
                + "(pat or oauth-m2m) or auth_type in the profile."
        case .incompleteCredentials(let authType, let missing, let hint):
            return "Auth type \(authType) needs \(missing.joined(separator: " and ")), which \(missing.count == 1 ? "is" : "are") not set. \(hint)"
        case .unsupportedAuthType(let type, let source):
            return "Auth type '\(type)' (from \(source)) is not supported by dbduck. Use pat or oauth-m2m."
        case .missingProfile(let name, let path, let exists, let available):
            if !exists {
                return "Profile [\(name)] was requested but \(path) does not exist. Create it, set DATABRICKS_CONFIG_FILE, or drop the profile."
            }
            let list = available.isEmpty ? "none" : available.map { "[\($0)]" }.joined(separator: ", ")
            return "Profile [\(name)] is not in \(path) (profiles there: \(list)). Fix the profile name or add the section."
        case .malformedConfigFile(let path, let line, let reason):
            return "\(path):\(line): \(reason). Fix the line (INI format: [profile] then key = value)."
        case .unreadableConfigFile(let path, let reason):
            return "Could not read \(path): \(reason)."
        case .missingWarehouse(let host):
            return "No SQL warehouse configured for \(host). Set DATABRICKS_WAREHOUSE_ID, pass --warehouse, "
                + "or add warehouse_id = … to the profile in ~/.databrickscfg."
        case .reservedProfileName(let name):
            return "[\(name)] is a reserved section of the Databricks config file and cannot be used as a profile."
        }
    }
}
