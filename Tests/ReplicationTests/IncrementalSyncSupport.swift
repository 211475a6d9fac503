import Commands
import DBDuckTesting
import Databricks
import DuckDB
import Foundation
import Logging
@testable import Replication

/// Shared steps of the incremental-sync tests: SQL on the emulator, a sync into a file, and the
/// copy's rows compared with a fresh full copy of the same table.
enum Sync {
    static let logger = Logger(label: "test")

    static func sql(_ emulator: EmulatorProcess, _ statements: String...) async throws {
        let client = try DatabricksClient(workspace: emulator.workspace())
        do {
            for statement in statements { _ = try await client.execute(StatementRequest(statement)) }
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static func run(_ emulator: EmulatorProcess, _ table: String, to path: String, mode: String?, key: [String]? = nil,
                    cursor: String? = nil, deletes: String? = nil, fullRefresh: Bool = false, noFallback: Bool = false,
                    verify: String? = nil) async throws -> ReplicationSummary {
        var input = input(emulator, [table], to: path)
        input.mode = mode
        input.primaryKey = key
        input.cursor = cursor
        input.deletes = deletes
        input.fullRefresh = fullRefresh
        input.noFallback = noFallback
        input.verify = verify
        return try await Session.replicate(input, logger: logger)
    }

    /// A command line copying `tables` from `emulator` into `path`.
    static func input(_ emulator: EmulatorProcess, _ tables: [String], to path: String) -> CommandLineInput {
        var input = CommandLineInput()
        input.tables = tables
        input.targetPath = path
        input.source = SourceSettings(host: emulator.host, token: emulator.token, warehouseID: emulator.warehouseID)
        return input
    }

    static func scratchFile(_ name: String = "copy") -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dbduck-sync-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("\(name).duckdb").path
    }

    /// The table's rows as text, sorted, without dbduck's own columns unless asked.
    static func rows(_ path: String, _ table: String, columns: String = "* EXCLUDE (_dbduck_deleted_at)",
                     where condition: String? = nil) throws -> [String] {
        let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
        let hasDeletedAt = try connection.scalar("SELECT count(*) FROM duckdb_columns() WHERE column_name = '_dbduck_deleted_at'")?.integerValue ?? 0
        let list = hasDeletedAt > 0 ? columns : "*"
        let filter = condition.map { " WHERE \($0)" } ?? ""
        return try connection.query("SELECT CAST(COLUMNS(\(list)) AS VARCHAR) FROM \(table)\(filter)").rows()
            .map { $0.map { $0.stringValue ?? "NULL" }.joined(separator: "|") }.sorted()
    }

    /// The rows a fresh full copy of `source` holds now.
    static func fullCopy(_ emulator: EmulatorProcess, _ source: String, target: String) async throws -> [String] {
        let path = scratchFile("full")
        let summary = try await run(emulator, source, to: path, mode: "full")
        guard summary.succeeded else { throw PlanError("full copy failed: \(summary.text)") }
        return try rows(path, target)
    }

    static func state(_ path: String, _ target: String) throws -> SyncState? {
        try TargetSnapshot.read(path: path).states[target.lowercased()]
    }
}
