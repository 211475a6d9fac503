import DBDuckTesting
import Databricks
import DuckDB
import Foundation
import Testing

/// Helpers for the resume tests: interrupt a copy after a given number of chunk downloads, read
/// what the target holds, and talk to the emulator.
enum InterruptedCopy {
    /// Rows per result chunk the resume tests' emulators use: scale-0.01 lineitem (60,012 rows) is
    /// then 31 chunks.
    static let chunkRows = 2000
    static let lineitemRows: Int64 = 60012
    static let lineitemChunks = 31

    /// Starts `dbduck` with its chunk downloads throttled to `bytesPerSecond` (slow enough that
    /// loading keeps up with them), and ten times slower from download `downloads` on; waits until
    /// that one has begun, then sends `signal`. The copy is interrupted after about `downloads`
    /// chunks with plenty still to come, however loaded the machine is. Returns once it has exited.
    static func run(_ arguments: [String], environment: [String: String], emulator: EmulatorProcess, downloads: Int,
                    signal: Int32 = SIGKILL, bytesPerSecond: Int = 200_000) async throws {
        let baseline = try await downloadCount(emulator)
        try await emulator.setFaults("slow,bps=\(max(1, bytesPerSecond / 10)),after=\(downloads);slow,bps=\(bytesPerSecond)")
        let (process, out, err) = try CLIProcess.start(arguments, environment: environment)
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline, try await downloadCount(emulator) - baseline <= downloads {
            try await Task.sleep(for: .milliseconds(20))
        }
        if !process.isRunning {
            let said = String(decoding: out.fileHandleForReading.readDataToEndOfFile() + err.fileHandleForReading.readDataToEndOfFile(),
                              as: UTF8.self)
            Issue.record("dbduck ended (status \(process.terminationStatus)) after \(try await downloadCount(emulator) - baseline) downloads, before it could be interrupted: \(said)")
        }
        kill(process.processIdentifier, signal)
        let stopBy = Date().addingTimeInterval(30)
        while process.isRunning && Date() < stopBy { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); Issue.record("dbduck did not stop within 30 s") }
        process.waitUntilExit()
        try await emulator.clearFaults()
    }

    static func downloadCount(_ emulator: EmulatorProcess) async throws -> Int {
        (try await emulator.stats()["downloads"] as? Int) ?? -1
    }

    static func downloadBytes(_ emulator: EmulatorProcess) async throws -> Int64 {
        Int64((try await emulator.stats()["download_bytes"] as? Int) ?? -1)
    }

    /// The row count and, per column, the sum of its values' hashes: equal fingerprints mean the same
    /// rows, whatever their order, with no row lost or doubled.
    static func fingerprint(_ path: String, table: String) throws -> [Value] {
        let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
        let parts = table.split(separator: ".").map(String.init)
        let columns = try connection.query("""
            SELECT column_name FROM duckdb_columns() WHERE schema_name = '\(parts[0])' AND table_name = '\(parts[1])'
            ORDER BY column_index
            """).rows().compactMap { $0.first?.stringValue }
        #expect(!columns.isEmpty, "\(table) has no columns in \(path)")
        let sums = columns.map { "sum(hash(\(quoteIdentifier($0))))" }.joined(separator: ", ")
        return try connection.query("SELECT count(*), \(sums) FROM \(table)").rows().first ?? []
    }

    /// What `_dbduck.progress` holds: target -> (statement id, chunks done, total chunks).
    static func savedProgress(_ path: String) throws -> [String: (statement: String, chunksDone: Int, chunks: Int)] {
        let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
        let exists = try connection.scalar(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = '_dbduck' AND table_name = 'progress'")?.integerValue ?? 0
        guard exists > 0 else { return [:] }
        var saved: [String: (String, Int, Int)] = [:]
        for row in try connection.query(
            "SELECT target_table, statement_id, chunks_done, json_array_length(chunks) FROM _dbduck.progress").rows() {
            saved[row[0].stringValue ?? ""] = (row[1].stringValue ?? "", Int(row[2].integerValue ?? -1), Int(row[3].integerValue ?? -1))
        }
        return saved
    }

    /// Staging tables of resumable copies left in the file.
    static func resumeStagingTables(_ path: String) throws -> Int {
        let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
        return Int(try connection.scalar(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '\\_dbduck\\_resume\\_%' ESCAPE '\\'")?.integerValue ?? -1)
    }

    /// Runs SQL statements on the emulator.
    static func sql(_ emulator: EmulatorProcess, _ statements: String...) async throws {
        let client = try DatabricksClient(workspace: emulator.workspace())
        defer { Task { try? await client.shutdown() } }
        for statement in statements { _ = try await client.execute(StatementRequest(statement)) }
    }

    /// Closes a statement, as the warehouse does when its result expires.
    static func close(_ emulator: EmulatorProcess, statement: String) async throws {
        let client = try DatabricksClient(workspace: emulator.workspace())
        defer { Task { try? await client.shutdown() } }
        try await client.close(statementID: statement)
    }
}
