import Databricks
import Foundation
import Logging
import Replication
import Timing

/// `analyze`'s advice on sync modes: per table, the mode `auto` would pick and why, and for a table
/// with a change data feed, what its last commit would cost an incremental run against a full copy.
enum SyncAdvice {
    static func notes(_ setup: RunSetup, logger: Logger) async -> [String] {
        var config = setup.config
        config.defaults.mode = .auto
        for i in config.tables.indices { config.tables[i].mode = nil }
        var auto = setup
        auto.config = config
        do {
            let plan = try await Session.plan(auto, targetPath: "", logger: logger)
            let client = try DatabricksClient(workspace: setup.workspace, options: plan.settings.clientOptions, logger: logger)
            return await withShutdownIgnoringErrors(client) {
                var notes: [String] = []
                for table in plan.tables { notes.append(await advice(for: table, client: client)) }
                return notes
            }
        } catch {
            return ["sync modes: not measured (\(error))"]
        }
    }

    private static func advice(for table: PlannedTable, client: DatabricksClient) async -> String {
        let sync = table.sync
        let head = "\(table.source): mode auto would sync by \(sync.mode) (\(sync.reason))"
        guard sync.mode == .cdf, let version = table.version else {
            if sync.mode == .full {
                return head + "; declare a PRIMARY KEY and turn on the change data feed, or set primary_key and cursor, to move only changes"
            }
            return head + "; each run reads rows at or after the bookmark, plus the key columns when deletes are detected"
        }
        let sql = "SELECT count(*) FROM table_changes(\(quoted(table.sourceName.quoted)), \(version), \(version)) WHERE _change_type <> 'update_preimage'"
        let start = ContinuousClock.now
        do {
            let changed = try await client.scalarInteger(sql)
            let seconds = (ContinuousClock.now - start).seconds
            let total = table.rowCount.map { " of \($0)" } ?? ""
            return head + "; the last commit (v\(version)) changed \(changed)\(total) rows: a cdf run after it moves those rows, read in \(Units.seconds(seconds)), where a full copy moves every row. Recommended: mode cdf"
        } catch {
            return head + "; the change feed of v\(version) could not be read (\(error)): a cdf run would fall back to a full copy"
        }
    }

    private static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    private static func withShutdownIgnoringErrors<T: Sendable>(_ client: DatabricksClient, _ body: () async -> T) async -> T {
        let value = await body()
        try? await client.shutdown()
        return value
    }
}
