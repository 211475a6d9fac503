import Foundation
import Testing
@testable import Databricks

/// Unified-auth resolution (fact sheet §4), with temporary config files and fake environments.
@Suite struct WorkspaceResolutionTests {
    /// A temporary home directory with an optional `.databrickscfg`.
    struct Home {
        let path: String
        init(config: String? = nil) throws {
            path = NSTemporaryDirectory() + "dbduck-home-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            if let config { try config.write(toFile: path + "/.databrickscfg", atomically: true, encoding: .utf8) }
        }
        var configPath: String { path + "/.databrickscfg" }
    }

    func resolve(_ settings: WorkspaceSettings = WorkspaceSettings(), env: [String: String] = [:], home: Home) throws
        -> Workspace
    {
        try Workspace.resolve(settings, environment: env, homeDirectory: home.path)
    }

    func token(_ workspace: Workspace) -> String? {
        if case .personalAccessToken(let secret) = workspace.credentials { return secret.exposedValue }
        return nil
    }

    @Test func patFromEnvironment() throws {
        let home = try Home()
        let workspace = try resolve(env: ["DATABRICKS_HOST": "adb-1.2.azuredatabricks.net", "DATABRICKS_TOKEN": "dapi1",
                                          "DATABRICKS_WAREHOUSE_ID": "wh1"], home: home)
        #expect(workspace.host == "https://adb-1.2.azuredatabricks.net")
        #expect(workspace.authKind == "pat")
        #expect(token(workspace) == "dapi1")
        #expect(workspace.warehouseID == "wh1")
        #expect(workspace.credentialSource == "DATABRICKS_TOKEN")
    }

    @Test func explicitSettingsWinOverEnvironment() throws {
        let home = try Home()
        let workspace = try resolve(WorkspaceSettings(host: "https://a.cloud.databricks.com", token: "flag",
                                                      warehouseID: "w-flag", origin: "--token"),
                                    env: ["DATABRICKS_HOST": "https://b.cloud.databricks.com", "DATABRICKS_TOKEN": "env",
                                          "DATABRICKS_WAREHOUSE_ID": "w-env"], home: home)
        #expect(workspace.host == "https://a.cloud.databricks.com")
        #expect(token(workspace) == "flag")
        #expect(workspace.warehouseID == "w-flag")
    }

    @Test func emptyEnvironmentValuesCountAsUnset() throws {
        let home = try Home(config: "[DEFAULT]\nhost = https://file.cloud.databricks.com\ntoken = file-token\n")
        let workspace = try resolve(env: ["DATABRICKS_HOST": "", "DATABRICKS_TOKEN": ""], home: home)
        #expect(workspace.host == "https://file.cloud.databricks.com")
        #expect(token(workspace) == "file-token")
    }

    @Test(arguments: [
        ("adb-1.2.azuredatabricks.net", "https://adb-1.2.azuredatabricks.net"),
        ("https://adb-1.2.azuredatabricks.net/", "https://adb-1.2.azuredatabricks.net"),
        ("https://adb-1.2.azuredatabricks.net:443", "https://adb-1.2.azuredatabricks.net"),
        ("https://ADB-1.2.azuredatabricks.net:8443/", "https://adb-1.2.azuredatabricks.net:8443"),
        ("https://adb-1.2.azuredatabricks.net/?o=123#", "https://adb-1.2.azuredatabricks.net"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:9/", "http://localhost:9"),
        ("  https://x.cloud.databricks.com  ", "https://x.cloud.databricks.com"),
    ])
    func hostNormalisation(raw: String, expected: String) throws {
        #expect(try Workspace.normalizeHost(raw) == expected)
    }

    @Test(arguments: ["http://adb-1.2.azuredatabricks.net", "ftp://x.com", "https://", "http://10.0.0.1:80"])
    func rejectedHosts(raw: String) {
        #expect(throws: WorkspaceConfigurationError.self) { try Workspace.normalizeHost(raw) }
    }

    @Test func plainHTTPErrorExplainsLoopbackRule() {
        #expect(throws: WorkspaceConfigurationError.invalidHost(
            "http://adb-1.azuredatabricks.net",
            reason: "plain http:// is only allowed for loopback hosts (emulators); use https://")) {
            try Workspace.normalizeHost("http://adb-1.azuredatabricks.net")
        }
    }

    @Test func defaultProfileFromConfigFile() throws {
        let home = try Home(config: """
            ; comment
            [DEFAULT]
            host  = https://dbc-a1.cloud.databricks.com
            token = dapi-default
            warehouse_id = wh-default

            [other]
            host = https://other.cloud.databricks.com
            token = dapi-other
            """)
        let workspace = try resolve(home: home)
        #expect(workspace.host == "https://dbc-a1.cloud.databricks.com")
        #expect(token(workspace) == "dapi-default")
        #expect(workspace.warehouseID == "wh-default")
        #expect(workspace.credentialSource == "profile [DEFAULT] in \(home.configPath)")
        #expect(workspace.profile == nil)
    }

    @Test func namedProfileFromEnvironmentWithOAuth() throws {
        let home = try Home(config: """
            [DEFAULT]
            host = https://default.cloud.databricks.com
            token = dapi-default

            [sp-prod]
            host          = https://adb-1234.7.azuredatabricks.net
            client_id     = 6b2c-uuid
            client_secret = dose-secret
            """)
        let workspace = try resolve(env: ["DATABRICKS_CONFIG_PROFILE": "sp-prod"], home: home)
        #expect(workspace.host == "https://adb-1234.7.azuredatabricks.net")
        #expect(workspace.authKind == "oauth-m2m")
        guard case .oauthM2M(let id, let secret) = workspace.credentials else { Issue.record("not m2m"); return }
        #expect(id == "6b2c-uuid")
        #expect(secret.exposedValue == "dose-secret")
        #expect(workspace.profile == "sp-prod")
    }

    @Test func namedProfileDoesNotInheritDefault() throws {
        // The SDK reads sections without configparser's DEFAULT inheritance.
        let home = try Home(config: "[DEFAULT]\ntoken = dapi-default\n\n[p]\nhost = https://p.cloud.databricks.com\n")
        #expect(throws: WorkspaceConfigurationError.self) {
            try resolve(WorkspaceSettings(profile: "p"), home: home)
        }
    }

    @Test func settingsDefaultProfileIsHonoured() throws {
        let home = try Home(config: """
            [DEFAULT]
            host = https://default.cloud.databricks.com
            token = dapi-default

            [chosen]
            host = https://chosen.cloud.databricks.com
            token = dapi-chosen

            [__settings__]
            default_profile = chosen
            """)
        let workspace = try resolve(home: home)
        #expect(workspace.host == "https://chosen.cloud.databricks.com")
        #expect(token(workspace) == "dapi-chosen")
        #expect(workspace.profile == "chosen")
    }

    @Test func explicitProfileBeatsSettingsDefault() throws {
        let home = try Home(config: "[a]\nhost = https://a.com\ntoken = ta\n[b]\nhost = https://b.com\ntoken = tb\n[__settings__]\ndefault_profile = a\n")
        let workspace = try resolve(WorkspaceSettings(profile: "b"), home: home)
        #expect(workspace.host == "https://b.com")
    }

    @Test func configFileSkippedWhenHostSetWithoutProfile() throws {
        let home = try Home(config: "[DEFAULT]\ntoken = file-token\nwarehouse_id = w\n")
        let error = #expect(throws: WorkspaceConfigurationError.self) {
            try resolve(env: ["DATABRICKS_HOST": "https://h.cloud.databricks.com"], home: home)
        }
        guard case .missingCredentials(let host, let tried)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(host == "https://h.cloud.databricks.com")
        #expect(tried.contains("DATABRICKS_TOKEN"))
        #expect(tried.last == "~/.databrickscfg (skipped: host set without a profile)")
    }

    @Test func fileValuesNeverOverwriteSetOnes() throws {
        let home = try Home(config: "[p]\nhost = https://file.com\ntoken = file-token\nwarehouse_id = wf\n")
        let workspace = try resolve(WorkspaceSettings(profile: "p"), env: ["DATABRICKS_WAREHOUSE_ID": "we"], home: home)
        #expect(workspace.warehouseID == "we")
        #expect(token(workspace) == "file-token")
    }

    @Test func configFileOverriddenByEnvironment() throws {
        let home = try Home()
        let other = NSTemporaryDirectory() + "dbduck-cfg-\(UUID().uuidString)"
        try "[DEFAULT]\nhost = https://elsewhere.com\ntoken = t\n".write(toFile: other, atomically: true, encoding: .utf8)
        let workspace = try resolve(env: ["DATABRICKS_CONFIG_FILE": other], home: home)
        #expect(workspace.host == "https://elsewhere.com")
        #expect(workspace.credentialSource == "profile [DEFAULT] in \(other)")
    }

    @Test func tildeInConfigFileExpandsToHome() throws {
        let home = try Home()
        try "[DEFAULT]\nhost = https://tilde.com\ntoken = t\n".write(toFile: home.path + "/alt.cfg", atomically: true, encoding: .utf8)
        let workspace = try resolve(WorkspaceSettings(configFile: "~/alt.cfg"), home: home)
        #expect(workspace.host == "https://tilde.com")
    }

    @Test func missingNamedProfileListsAvailableOnes() throws {
        let home = try Home(config: "[DEFAULT]\nhost = https://d.com\ntoken = t\n[dev]\nhost = https://dev.com\ntoken = t\n")
        let error = #expect(throws: WorkspaceConfigurationError.self) {
            try resolve(WorkspaceSettings(profile: "prod"), home: home)
        }
        #expect(error?.description == "Profile [prod] is not in \(home.configPath) (profiles there: [DEFAULT], [dev]). Fix the profile name or add the section.")
    }

    @Test func missingFileWithNamedProfile() throws {
        let home = try Home()
        let error = #expect(throws: WorkspaceConfigurationError.self) {
            try resolve(env: ["DATABRICKS_CONFIG_PROFILE": "prod"], home: home)
        }
        guard case .missingProfile("prod", _, false, _)? = error else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func settingsDefaultProfileMissingIsAnError() throws {
        let home = try Home(config: "[DEFAULT]\nhost = https://d.com\ntoken = t\n[__settings__]\ndefault_profile = gone\n")
        #expect(throws: WorkspaceConfigurationError.self) { try resolve(home: home) }
    }

    @Test func reservedSectionCannotBeAProfile() throws {
        let home = try Home(config: "[__settings__]\ndefault_profile = x\n")
        #expect(throws: WorkspaceConfigurationError.reservedProfileName("__settings__")) {
            try resolve(WorkspaceSettings(profile: "__settings__"), home: home)
        }
    }

    @Test func conflictingMethodsAreAnError() throws {
        let home = try Home()
        let error = #expect(throws: WorkspaceConfigurationError.self) {
            try resolve(env: ["DATABRICKS_HOST": "https://h.com", "DATABRICKS_TOKEN": "t",
                              "DATABRICKS_CLIENT_ID": "id", "DATABRICKS_CLIENT_SECRET": "s"], home: home)
        }
        let text = error?.description ?? ""
        #expect(text.hasPrefix("More than one authorization method configured: pat and oauth"))
        #expect(text.contains("DATABRICKS_TOKEN"))
        #expect(text.contains("DATABRICKS_AUTH_TYPE"))
        #expect(!text.contains("\"s\"") && !text.contains(": s "))
    }

    @Test(arguments: [("pat", "pat"), ("oauth-m2m", "oauth-m2m"), ("OAUTH-M2M", "oauth-m2m")])
    func authTypeResolvesConflict(authType: String, expected: String) throws {
        let home = try Home()
        let workspace = try resolve(env: ["DATABRICKS_HOST": "https://h.com", "DATABRICKS_TOKEN": "t",
                                          "DATABRICKS_CLIENT_ID": "id", "DATABRICKS_CLIENT_SECRET": "s",
                                          "DATABRICKS_AUTH_TYPE": authType], home: home)
        #expect(workspace.authKind == expected)
    }

    @Test func authTypeWithMissingFields() throws {
        let home = try Home()
        let error = #expect(throws: WorkspaceConfigurationError.self) {
            try resolve(env: ["DATABRICKS_HOST": "https://h.com", "DATABRICKS_TOKEN": "t", "DATABRICKS_AUTH_TYPE": "oauth-m2m"],
                        home: home)
        }
        #expect(error?.description == "Auth type oauth-m2m needs a client id (DATABRICKS_CLIENT_ID) and a client secret (DATABRICKS_CLIENT_SECRET), which are not set. Set both, or client_id and client_secret in the profile.")
    }

    @Test func unsupportedAuthType() throws {
        let home = try Home()
        #expect(throws: WorkspaceConfigurationError.unsupportedAuthType("azure-cli", source: "DATABRICKS_AUTH_TYPE")) {
            try resolve(env: ["DATABRICKS_HOST": "https://h.com", "DATABRICKS_AUTH_TYPE": "azure-cli"], home: home)
        }
    }

    @Test func clientIDWithoutSecret() throws {
        let home = try Home()
        let error = #expect(throws: WorkspaceConfigurationError.self) {
            try resolve(env: ["DATABRICKS_HOST": "https://h.com", "DATABRICKS_CLIENT_ID": "id"], home: home)
        }
        #expect(error?.description.contains("a client secret (DATABRICKS_CLIENT_SECRET)") == true)
    }

    @Test func nothingConfiguredNamesEverythingTried() throws {
        let home = try Home()
        let error = #expect(throws: WorkspaceConfigurationError.self) { try resolve(home: home) }
        #expect(error?.description == "No Databricks host configured (tried flags/config, environment (DATABRICKS_HOST), \(home.configPath) (not found)). Set DATABRICKS_HOST, pass --host, or add host = https://<workspace> to a profile in ~/.databrickscfg.")
    }

    @Test func hostWithoutCredentialsInProfile() throws {
        let home = try Home(config: "[DEFAULT]\nhost = https://d.com\n")
        let error = #expect(throws: WorkspaceConfigurationError.self) { try resolve(home: home) }
        #expect(error?.description == "No credentials for https://d.com (tried flags/config, DATABRICKS_TOKEN, DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET, profile [DEFAULT] in \(home.configPath)). Set DATABRICKS_TOKEN (personal access token) or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET (OAuth service principal), or add token = … to a profile in ~/.databrickscfg.")
    }

    @Test func malformedConfigFileNamesTheLine() throws {
        let home = try Home(config: "[DEFAULT]\nhost = https://d.com\nthis is not a key\n")
        let error = #expect(throws: WorkspaceConfigurationError.self) { try resolve(home: home) }
        #expect(error == .malformedConfigFile(path: home.configPath, line: 3, reason: "expected 'key = value'"))
    }

    @Test func iniDetails() throws {
        let file = try ConfigFile(path: "x", contents: "# c\n[P]\nHOST: https://h.com\nToken =  spaced value  \n\n[empty]\n")
        #expect(file.sections["P"]?["host"] == "https://h.com")
        #expect(file.sections["P"]?["token"] == "spaced value")
        #expect(file.sections["empty"] == [:])
    }

    @Test func descriptionRedactsSecrets() throws {
        let home = try Home()
        let pat = try resolve(env: ["DATABRICKS_HOST": "https://h.com", "DATABRICKS_TOKEN": "dapiSECRET"], home: home)
        let m2m = try resolve(env: ["DATABRICKS_HOST": "https://h.com", "DATABRICKS_CLIENT_ID": "id",
                                    "DATABRICKS_CLIENT_SECRET": "SECRETVALUE"], home: home)
        for text in ["\(pat)", "\(m2m)", String(reflecting: pat), String(reflecting: m2m), "\(pat.credentials)"] {
            #expect(!text.contains("dapiSECRET") && !text.contains("SECRETVALUE"), "\(text)")
        }
        var dumped = ""
        dump(m2m, to: &dumped)
        #expect(!dumped.contains("SECRETVALUE"))
    }
}
