import Foundation
import Yams

/// Reads and validates `dbduck.yml` before anything runs.
///
/// Every problem names the file, the line and the key, and says how to fix it. Unknown keys are
/// errors (a typo must not silently fall back to a default). The seed's names are understood too:
/// `global.default_optimization_level` (with level `pandas` = `batch`) and `global.default_chunk_size`.
public enum ConfigLoader {
    public static func load(path: String) throws(ConfigError) -> ReplicationConfig {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, key: nil,
                              message: "cannot read the config file. Check the path, or pass tables on the command line instead of --config.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: name, line: nil, key: nil, message: "the file is not UTF-8 text.")
        }
        return try parse(text, file: name)
    }

    public static func parse(_ text: String, file: String = "dbduck.yml") throws(ConfigError) -> ReplicationConfig {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw ConfigError(file: file, line: yamlErrorLine(error), key: nil,
                              message: "this is not valid YAML: \(yamlErrorSummary(error)). Fix the indentation or quoting near that line.")
        }
        guard let root else { throw ConfigError(file: file, line: nil, key: nil, message: "the file is empty. Add a `tables:` list.") }
        let reader = NodeReader(file: file)
        let top = try reader.mapping(root, key: nil,
                                     allowed: ["source", "target", "defaults", "tables", "global", "databricks", "duckdb"])
        var config = ReplicationConfig()
        if let node = top["source"] ?? top["databricks"] { config.source = try readSource(node, reader, key: top["source"] == nil ? "databricks" : "source") }
        if let node = top["target"] ?? top["duckdb"] { config.target = try readTarget(node, reader, key: top["target"] == nil ? "duckdb" : "target") }
        if let node = top["global"] { try readSeedGlobal(node, reader, into: &config.defaults) }
        if let node = top["defaults"] { try readDefaults(node, reader, into: &config.defaults) }
        guard let tables = top["tables"] else {
            throw ConfigError(file: file, line: root.mark?.line, key: "tables",
                              message: "there is no `tables:` list. Add one, e.g. `tables: [samples.tpch.orders]`.")
        }
        config.tables = try readTables(tables, reader)
        return config
    }

    // MARK: sections

    private static func readSource(_ node: Node, _ r: NodeReader, key: String) throws(ConfigError) -> SourceSettings {
        let m = try r.mapping(node, key: key, allowed: ["host", "token", "client_id", "client_secret", "profile",
                                                       "warehouse_id", "auth_type", "config_file", "ca_file"])
        var s = SourceSettings(origin: "the source: block of the config")
        s.host = try m["host"].map { (n) throws(ConfigError) in try r.string(n, key: "host") }
        s.token = try m["token"].map { (n) throws(ConfigError) in try r.string(n, key: "token") }
        s.clientID = try m["client_id"].map { (n) throws(ConfigError) in try r.string(n, key: "client_id") }
        s.clientSecret = try m["client_secret"].map { (n) throws(ConfigError) in try r.string(n, key: "client_secret") }
        s.profile = try m["profile"].map { (n) throws(ConfigError) in try r.string(n, key: "profile") }
        s.warehouseID = try m["warehouse_id"].map { (n) throws(ConfigError) in try r.string(n, key: "warehouse_id") }
        s.authType = try m["auth_type"].map { (n) throws(ConfigError) in try r.string(n, key: "auth_type") }
        s.configFile = try m["config_file"].map { (n) throws(ConfigError) in try r.string(n, key: "config_file") }
        s.caFile = try m["ca_file"].map { (n) throws(ConfigError) in try r.string(n, key: "ca_file") }
        return s
    }

    private static func readTarget(_ node: Node, _ r: NodeReader, key: String) throws(ConfigError) -> TargetSettings {
        let m = try r.mapping(node, key: key, allowed: ["path", "memory_limit", "threads", "preserve_order", "storage_version",
                                                      "replace_unmanaged"])
        var t = TargetSettings()
        t.path = try m["path"].map { (n) throws(ConfigError) in try r.string(n, key: "path") }
        t.memoryLimit = try m["memory_limit"].map { (n) throws(ConfigError) in try r.memorySize(n, key: "memory_limit").text }
        t.threads = try m["threads"].map { (n) throws(ConfigError) in try r.positiveInt(n, key: "threads", example: "threads: 2") }
        t.preserveOrder = try m["preserve_order"].map { (n) throws(ConfigError) in try r.bool(n, key: "preserve_order") }
        t.replaceUnmanaged = try m["replace_unmanaged"].map { (n) throws(ConfigError) in try r.bool(n, key: "replace_unmanaged") }
        if let n = m["storage_version"] {
            let text = try r.string(n, key: "storage_version")
            guard text == "latest" || text.wholeMatch(of: /v[0-9]+\.[0-9]+\.[0-9]+/) != nil else {
                throw r.error(n, key: "storage_version", "'storage_version' must be a DuckDB version such as v1.4.0, or latest, got \"\(text)\".")
            }
            t.storageVersion = text
        }
        return t
    }

    private static func readDefaults(_ node: Node, _ r: NodeReader, into d: inout TableDefaults) throws(ConfigError) {
        let m = try r.mapping(node, key: "defaults", allowed: ["strategy", "chunk_size", "parallel_tables",
                                                             "download_parallelism", "retries", "memory_budget", "verify", "compression",
                                                             "mode", "deletes", "stall_timeout",
                                                             "checkpoint_every", "row_inserters"])
        if let n = m["strategy"] { d.strategy = try r.strategy(n, key: "strategy") }
        if let n = m["chunk_size"] { d.chunkSize = try r.positiveInt(n, key: "chunk_size", example: "chunk_size: 100000") }
        if let n = m["parallel_tables"] { d.parallelTables = try r.positiveInt(n, key: "parallel_tables", example: "parallel_tables: 2") }
        if let n = m["row_inserters"] { d.rowInserters = try r.positiveInt(n, key: "row_inserters", example: "row_inserters: 2") }
        if let n = m["download_parallelism"] {
            d.downloadParallelism = try r.positiveInt(n, key: "download_parallelism", example: "download_parallelism: 4")
        }
        if let n = m["stall_timeout"] { d.stallTimeoutSeconds = try r.positiveInt(n, key: "stall_timeout", example: "stall_timeout: 120") }
        if let n = m["memory_budget"] { d.memoryBudgetBytes = try r.memorySize(n, key: "memory_budget").bytes }
        if let n = m["verify"] {
            let text = try r.string(n, key: "verify")
            guard let v = Verification(rawValue: text) else {
                throw r.error(n, key: "verify", "'verify' must be count, checksum or none, got \"\(text)\".")
            }
            d.verify = v
        }
        if let n = m["compression"] {
            let text = try r.string(n, key: "compression").lowercased()
            guard text == "lz4" || text == "none" else {
                throw r.error(n, key: "compression", "'compression' must be lz4 or none, got \"\(text)\".")
            }
            d.compression = text == "lz4" ? .lz4 : .none
        }
        if let n = m["mode"] { d.mode = try r.syncMode(n, key: "mode") }
        if let n = m["deletes"] { d.deletes = try r.deletePolicy(n, key: "deletes") }
        if let n = m["checkpoint_every"] { d.checkpointEvery = try r.checkpointInterval(n, key: "checkpoint_every") }
        if let n = m["retries"] {
            let rm = try r.mapping(n, key: "retries", allowed: ["max"])
            if let max = rm["max"] { d.maxRetries = try r.nonNegativeInt(max, key: "max", example: "retries: { max: 5 }") }
        }
    }

    /// The seed's `global:` block, so its users' configs keep working.
    private static func readSeedGlobal(_ node: Node, _ r: NodeReader, into d: inout TableDefaults) throws(ConfigError) {
        let m = try r.mapping(node, key: "global", allowed: ["default_optimization_level", "default_chunk_size",
                                                           "parallel_tables", "max_retries"])
        if let n = m["default_optimization_level"] { d.strategy = try r.strategy(n, key: "default_optimization_level") }
        if let n = m["default_chunk_size"] {
            d.chunkSize = try r.positiveInt(n, key: "default_chunk_size", example: "default_chunk_size: 100000")
        }
        if let n = m["parallel_tables"] { d.parallelTables = try r.positiveInt(n, key: "parallel_tables", example: "parallel_tables: 2") }
        if let n = m["max_retries"] { d.maxRetries = try r.nonNegativeInt(n, key: "max_retries", example: "max_retries: 5") }
    }

    private static func readTables(_ node: Node, _ r: NodeReader) throws(ConfigError) -> [TableSelection] {
        guard case .sequence(let seq) = node else {
            throw r.error(node, key: "tables", "'tables' must be a list of table names or mappings, e.g. `tables: [samples.tpch.orders]`.")
        }
        guard !seq.isEmpty else { throw r.error(node, key: "tables", "'tables' is empty. Name at least one table.") }
        var result: [TableSelection] = []
        for item in seq {
            if case .scalar = item {
                let name = try r.string(item, key: "tables")
                try checkName(name, item, r)
                result.append(TableSelection(name: name, line: item.mark?.line))
                continue
            }
            let m = try r.mapping(item, key: "tables[]", allowed: ["name", "exclude", "target", "columns", "where",
                                                                 "strategy", "chunk_size", "optimization_level",
                                                                 "mode", "primary_key", "cursor", "deletes",
                                                                 "checkpoint_every"])
            guard let nameNode = m["name"] else {
                throw r.error(item, key: "name", "a table entry has no 'name'. Add `name: catalog.schema.table`.")
            }
            var t = TableSelection(name: try r.string(nameNode, key: "name"), line: item.mark?.line)
            try checkName(t.name, nameNode, r)
            if let n = m["exclude"] { t.exclude = try r.stringList(n, key: "exclude") }
            if let n = m["target"] {
                t.target = try r.string(n, key: "target")
                if t.isPattern {
                    throw r.error(n, key: "target", "'target' renames one table, but '\(t.name)' is a pattern. Remove 'target' or name a single table.")
                }
            }
            if let n = m["columns"] {
                let columns = try r.stringList(n, key: "columns")
                guard !columns.isEmpty else { throw r.error(n, key: "columns", "'columns' is empty. List at least one column, or remove the key to copy all.") }
                t.columns = columns
            }
            if let n = m["where"] { t.filter = try r.string(n, key: "where") }
            if let n = m["strategy"] ?? m["optimization_level"] { t.strategy = try r.strategy(n, key: "strategy") }
            if let n = m["chunk_size"] { t.chunkSize = try r.positiveInt(n, key: "chunk_size", example: "chunk_size: 100000") }
            if let n = m["mode"] { t.mode = try r.syncMode(n, key: "mode") }
            if let n = m["primary_key"] {
                let key = try r.stringList(n, key: "primary_key")
                guard !key.isEmpty else { throw r.error(n, key: "primary_key", "'primary_key' is empty. List the key columns, e.g. `primary_key: [order_id]`.") }
                t.primaryKey = key
            }
            if let n = m["cursor"] { t.cursor = try r.string(n, key: "cursor") }
            if let n = m["deletes"] { t.deletes = try r.deletePolicy(n, key: "deletes") }
            if let n = m["checkpoint_every"] { t.checkpointEvery = try r.checkpointInterval(n, key: "checkpoint_every") }
            result.append(t)
        }
        return result
    }

    private static func checkName(_ name: String, _ node: Node, _ r: NodeReader) throws(ConfigError) {
        guard TableName(parsing: name) != nil else {
            throw r.error(node, key: "name", "'\(name)' is not a three-part table name. Write catalog.schema.table (a part may be `*`).")
        }
    }

    // MARK: YAML error text

    private static func yamlErrorLine(_ error: any Error) -> Int? {
        if let e = error as? YamlError {
            switch e {
            case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
            default: return nil
            }
        }
        return nil
    }

    private static func yamlErrorSummary(_ error: any Error) -> String {
        if let e = error as? YamlError {
            switch e {
            case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
            default: break
            }
        }
        return "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
    }
}
