import Foundation
import Timing
import Yams

/// Typed access to YAML nodes that turns every mismatch into a located ``ConfigError``.
struct NodeReader {
    let file: String

    func error(_ node: Node, key: String?, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark?.line, key: key, message: message)
    }

    /// A mapping whose keys are all in `allowed`; unknown keys are errors that list the valid ones.
    func mapping(_ node: Node, key: String?, allowed: [String]) throws(ConfigError) -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw error(node, key: key, "'\(key ?? "the top level")' must be a mapping of keys (\(allowed.joined(separator: ", "))).")
        }
        var result: [String: Node] = [:]
        for (k, v) in mapping {
            guard let name = k.string else { throw error(k, key: key, "a key in '\(key ?? "the top level")' is not text.") }
            guard allowed.contains(name) else {
                let near = allowed.min { editDistance($0, name) < editDistance($1, name) }
                let hint = near.map { editDistance($0, name) <= 3 ? " Did you mean '\($0)'?" : "" } ?? ""
                throw error(k, key: name, "unknown key '\(name)' in '\(key ?? "the top level")'.\(hint) Valid keys: \(allowed.joined(separator: ", ")).")
            }
            guard result[name] == nil else { throw error(k, key: name, "'\(name)' appears twice. Keep one.") }
            result[name] = v
        }
        return result
    }

    func string(_ node: Node, key: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw error(node, key: key, "'\(key)' must be text, not a list or mapping.") }
        return scalar.string
    }

    func stringList(_ node: Node, key: String) throws(ConfigError) -> [String] {
        if case .scalar = node { return [try string(node, key: key)] }
        guard case .sequence(let seq) = node else { throw error(node, key: key, "'\(key)' must be a list, e.g. \(key): [a, b].") }
        var result: [String] = []
        for item in seq { result.append(try string(item, key: key)) }
        return result
    }

    func bool(_ node: Node, key: String) throws(ConfigError) -> Bool {
        let text = (try? string(node, key: key)) ?? ""
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(node, key: key, "'\(key)' must be true or false, got \"\(text)\".")
        }
    }

    func positiveInt(_ node: Node, key: String, example: String) throws(ConfigError) -> Int {
        let value = try nonNegativeInt(node, key: key, example: example)
        guard value > 0 else { throw error(node, key: key, "'\(key)' must be a positive integer, got 0. Write e.g. \(example).") }
        return value
    }

    func nonNegativeInt(_ node: Node, key: String, example: String) throws(ConfigError) -> Int {
        let text = (try? string(node, key: key)) ?? ""
        guard case .scalar = node, let value = Int(text.replacingOccurrences(of: "_", with: "")), value >= 0 else {
            throw error(node, key: key, "'\(key)' must be a positive integer, got \"\(text)\". Write e.g. \(example).")
        }
        return value
    }

    func strategy(_ node: Node, key: String) throws(ConfigError) -> StrategyChoice {
        let text = try string(node, key: key)
        guard let choice = StrategyChoice(name: text) else {
            throw error(node, key: key, "'\(key)' must be one of \(StrategyChoice.validNames), got \"\(text)\".")
        }
        return choice
    }

    func syncMode(_ node: Node, key: String) throws(ConfigError) -> SyncMode {
        let text = try string(node, key: key)
        guard let mode = SyncMode(rawValue: text.lowercased()) else {
            throw error(node, key: key, "'\(key)' must be one of \(SyncMode.validNames), got \"\(text)\".")
        }
        return mode
    }

    func deletePolicy(_ node: Node, key: String) throws(ConfigError) -> DeletePolicy {
        let text = try string(node, key: key)
        guard let policy = DeletePolicy(rawValue: text.lowercased()) else {
            throw error(node, key: key, "'\(key)' must be hard, soft or ignore, got \"\(text)\".")
        }
        return policy
    }

    /// A checkpoint interval: a size received (`256MB`), a duration (`30s`), or `0` for none.
    func checkpointInterval(_ node: Node, key: String) throws(ConfigError) -> CheckpointInterval {
        let text = try string(node, key: key)
        guard let interval = CheckpointInterval(parsing: text) else {
            throw error(node, key: key, "'\(key)' must be a size received such as 256MB, a duration such as 30s, or 0 for none, got \"\(text)\".")
        }
        return interval
    }

    /// A size like `4GB`, `512MiB` or a byte count.
    func memorySize(_ node: Node, key: String) throws(ConfigError) -> (text: String, bytes: Int) {
        let text = try string(node, key: key)
        guard let bytes = ByteSize.parse(text) else {
            throw error(node, key: key, "'\(key)' must be a size such as 4GB or 512MB, got \"\(text)\".")
        }
        return (text, bytes)
    }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var previous = row[0]; row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let current = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
            previous = current
        }
    }
    return row[b.count]
}
