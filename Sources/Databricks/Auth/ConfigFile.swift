import Foundation

/// A parsed `~/.databrickscfg`: INI sections of lower-case keys, read the way Python's
/// `configparser` reads it for the Databricks SDK (`#`/`;` comment lines, `key = value` or
/// `key: value`, keys lower-cased, values trimmed, no inheritance from `[DEFAULT]`).
struct ConfigFile: Sendable {
    /// Section name → key → value. `DEFAULT` is an ordinary entry here.
    var sections: [String: [String: String]]
    var path: String

    /// The reserved section that holds `default_profile` in newer SDKs.
    static let settingsSection = "__settings__"

    init(path: String, contents: String) throws(WorkspaceConfigurationError) {
        self.path = path
        var sections: [String: [String: String]] = [:]
        var current: String?
        var lastKey: String?
        for (number, rawLine) in contents.split(omittingEmptySubsequences: false,
                                                 whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { lastKey = nil; continue }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]"), trimmed.count >= 2 else {
                    throw .malformedConfigFile(path: path, line: number + 1, reason: "a section header must look like [name]")
                }
                let name = String(trimmed.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                current = name
                if sections[name] == nil { sections[name] = [:] }
                lastKey = nil
                continue
            }
            // configparser: an indented line continues the previous value.
            if let first = line.first, first == " " || first == "\t", let section = current, let key = lastKey {
                let previous = sections[section]?[key] ?? ""
                sections[section]?[key] = previous + "\n" + trimmed
                continue
            }
            guard let section = current else {
                throw .malformedConfigFile(path: path, line: number + 1, reason: "a key appears before any [section] header")
            }
            guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw .malformedConfigFile(path: path, line: number + 1, reason: "expected 'key = value'")
            }
            let key = trimmed[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
            let value = trimmed[trimmed.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            sections[section]?[key] = value
            lastKey = key
        }
        self.sections = sections
    }

    /// Reads the file, or returns nil when it does not exist.
    static func load(path: String) throws(WorkspaceConfigurationError) -> ConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let contents: String
        do { contents = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadableConfigFile(path: path, reason: "\(error.localizedDescription)")
        }
        return try ConfigFile(path: path, contents: contents)
    }

    /// Profiles usable for credentials (everything but `[__settings__]`); `DEFAULT` only when non-empty.
    var profileNames: [String] {
        sections.keys.filter { $0 != Self.settingsSection && !($0 == "DEFAULT" && (sections[$0] ?? [:]).isEmpty) }.sorted()
    }

    /// `[__settings__] default_profile`, when set and non-empty.
    var defaultProfile: String? {
        guard let value = sections[Self.settingsSection]?["default_profile"], !value.isEmpty else { return nil }
        return value
    }
}
