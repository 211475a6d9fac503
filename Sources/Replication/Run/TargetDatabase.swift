import Foundation
import DuckDB

/// Opening and preparing the DuckDB file tables land in.
enum TargetDatabase {
    /// Opens the file; a file another process holds gets a message saying so, and nothing is touched.
    static func open(path: String, settings: TargetSettings) throws -> Database {
        let kind: TargetFile
        do { kind = try TargetFile.classify(path) } catch { throw TargetError(error.description) }
        var configuration = settings.databaseConfiguration
        if kind != .duckdb {
            // DuckDB refuses a 0-byte file as "not a valid database"; it holds nothing, so start afresh.
            if kind == .empty { try? FileManager.default.removeItem(atPath: path) }
            configuration.options["storage_compatibility_version"] = settings.storageVersion ?? TargetSettings.defaultStorageVersion
        }
        do {
            return try Database(path: path, configuration: configuration)
        } catch {
            throw openError(path: path, error)
        }
    }

    /// The existing target, read-only, with its catalog name; nil when there is no file or an empty
    /// one (a new database to be), so reading dbduck's own tables at planning never creates it.
    static func openExistingReadOnly(path: String) throws -> (Connection, String)? {
        guard !path.isEmpty, let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0
        else { return nil }
        let connection: Connection
        do {
            connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
        } catch {
            throw openError(path: path, error)
        }
        return (connection, try connection.scalar("SELECT current_database()")?.stringValue ?? "main")
    }

    /// What to say when the file cannot be opened.
    static func openError(path: String, _ error: DatabaseError) -> TargetError {
        if error.message.localizedCaseInsensitiveContains("lock") {
            return TargetError("\(path) is in use by another process (DuckDB holds a lock on it). Wait for it to finish, close it, or choose another --to. Nothing was changed.")
        }
        return TargetError("cannot open \(path): \(error.message)")
    }

    /// Creates the target schemas and the run-record table, committed before any table loads, so
    /// parallel loads never race on them.
    static func prepare(_ database: Database, schemas: Set<String>) throws {
        let connection = try database.connect()
        let catalog = try database.catalogName()
        try connection.transaction {
            for schema in schemas.sorted() where schema.lowercased() != "main" {
                try connection.execute("CREATE SCHEMA IF NOT EXISTS \(quoteIdentifier(catalog)).\(quoteIdentifier(schema))")
            }
            try RunRecords.ensureTable(connection, catalog: catalog)
            try SyncStateStore.ensureTable(connection, catalog: catalog)
            try ProgressStore.ensureTable(connection, catalog: catalog)
        }
    }
}

extension TargetSettings {
    /// How the target (and analyze's scratch copies of it) is opened: the configured limits, or
    /// dbduck's defaults (``defaultMemoryLimit``, insertion order not preserved).
    public var databaseConfiguration: Database.Configuration {
        Database.Configuration(threads: threads, memoryLimit: memoryLimit ?? Self.defaultMemoryLimit,
                               options: ["preserve_insertion_order": (preserveOrder ?? false) ? "true" : "false"])
    }
}

/// The target database cannot be used.
public struct TargetError: Error, Sendable, CustomStringConvertible {
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

import Foundation
