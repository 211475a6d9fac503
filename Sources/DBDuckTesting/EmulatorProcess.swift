import AsyncHTTPClient
import Databricks
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOSSL

#if canImport(Glibc)
import Glibc
#endif

/// A running Databricks warehouse emulator (`python -m emulator serve`, see emulator/README.md),
/// for tests of the client, the replicator and the CLI.
///
/// ```swift
/// try await EmulatorProcess.withRunning(tls: true, faults: "503,target=storage,count=2") { emulator in
///     let client = try DatabricksClient(workspace: emulator.workspace())
///     …
/// }
/// ```
public struct EmulatorProcess: Sendable {
    /// e.g. `http://127.0.0.1:41234` (or `https://` with `tls`).
    public let host: String
    public let token: String
    public let warehouseID: String
    /// The storage server's base URL (external links point there).
    public let storage: String
    /// The CA certificate to trust, with `tls`.
    public let caFile: String?
    /// The data directory the emulator serves.
    public let dataDirectory: String
    /// The emulator's stderr, for diagnosing a failed test.
    public let logFile: String
    /// The OAuth M2M service principal the emulator accepts.
    public let clientID: String?
    public let clientSecret: String?

    /// A PAT workspace for this emulator.
    public func workspace(warehouseID: String? = nil) -> Workspace {
        Workspace(host: host, credentials: .personalAccessToken(Secret(token)), warehouseID: warehouseID ?? self.warehouseID,
                  credentialSource: "emulator", caFile: caFile)
    }

    /// An OAuth M2M workspace for this emulator (its service principal).
    public func oauthWorkspace(clientSecret: String? = nil) -> Workspace {
        Workspace(host: host, credentials: .oauthM2M(clientID: clientID ?? "dbduck-emulator-sp",
                                                     clientSecret: Secret(clientSecret ?? self.clientSecret ?? "")),
                  warehouseID: warehouseID, credentialSource: "emulator", caFile: caFile)
    }

    /// Replaces the active faults (`POST /admin/faults`; same text or JSON syntax as `--faults`).
    public func setFaults(_ spec: String) async throws {
        _ = try await admin("POST", "/admin/faults", body: spec)
    }

    /// Removes every fault.
    public func clearFaults() async throws {
        _ = try await admin("DELETE", "/admin/faults", body: nil)
    }

    /// The fault counters as JSON text (`GET /admin/faults`): `{"seed":…,"faults":[{"mode":…,"fired":N}]}`.
    public func faultReport() async throws -> String {
        try await admin("GET", "/admin/faults", body: nil)
    }

    /// The emulator's counters (`GET /admin/stats`): statements executed, downloads, bytes served.
    public func stats() async throws -> [String: Any] {
        let text = try await admin("GET", "/admin/stats", body: nil)
        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    /// Statements the emulator has executed so far.
    public func statementCount() async throws -> Int {
        (try await stats()["statements"] as? Int) ?? -1
    }

    /// Workspace requests of one kind so far: `uc` (Unity Catalog REST), `execute`, `status`, `chunk`, ...
    public func requestCount(_ kind: String) async throws -> Int {
        ((try await stats()["requests_by_kind"] as? [String: Any])?[kind] as? Int) ?? 0
    }

    private func admin(_ method: String, _ path: String, body: String?) async throws -> String {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.additionalTrustRoots = [.file(caFile)] }
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        do {
            var request = HTTPClientRequest(url: host + path)
            request.method = .init(rawValue: method)
            if let body { request.body = .bytes(ByteBuffer(string: body)) }
            let response = try await client.execute(request, timeout: .seconds(30))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            try await client.shutdown()
            guard response.status.code < 300 else { throw EmulatorError.adminFailed(path: path, status: Int(response.status.code), body: text) }
            return text
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Environment variables for the CLI or `Workspace.resolve` (PAT).
    public var environment: [String: String] {
        let values = ["DATABRICKS_HOST": host, "DATABRICKS_TOKEN": token, "DATABRICKS_WAREHOUSE_ID": warehouseID]
        return values
    }

    /// Starts the emulator on free ports, runs `body`, and stops the emulator on every path.
    ///
    /// - Parameters:
    ///   - data: a data directory; nil uses a cached directory seeded once at `seedScale` (default 0.01).
    ///   - tls: serve HTTPS with a fresh self-signed CA (`caFile`).
    ///   - faults: a fault spec (`--faults`), e.g. `"429,target=execute,count=1"`.
    /// - Throws: ``EmulatorError`` when the venv is missing or the emulator does not start.
    public static func withRunning<T>(data: String? = nil, seedScale: Double? = nil, tls: Bool = false,
                                      faults: String? = nil, extraArguments: [String] = [],
                                      _ body: (EmulatorProcess) async throws -> T) async throws -> T {
        let python = try EmulatorPaths.python()
        let directory = try data ?? seededDataDirectory(scale: seedScale ?? 0.01)
        var arguments = ["-c", EmulatorPaths.unblockingBootstrap, "serve", "--data", directory, "--port", "0",
                         "--storage-port", "0"]
        if tls { arguments.append("--tls") }
        if let faults { arguments += ["--faults", faults] }
        arguments += extraArguments
        let server = try ServerProcess(python: python, arguments: arguments)
        do {
            let line = try await server.firstLine(timeout: 90)
            let emulator = try parse(line, data: directory, log: server.logFile)
            let value = try await body(emulator)
            server.stop()
            try? FileManager.default.removeItem(atPath: server.logFile)   // kept only when something failed
            return value
        } catch {
            server.stop()
            throw error
        }
    }

    private static func parse(_ line: String, data: String, log: String) throws -> EmulatorProcess {
        struct Ready: Decodable {
            var host: String; var token: String; var warehouse_id: String; var storage: String?; var ca_file: String?
            var client_id: String?; var client_secret: String?
        }
        guard let ready = try? JSONDecoder().decode(Ready.self, from: Data(line.utf8)) else {
            throw EmulatorError.badHandshake(line: String(line.prefix(300)), log: log)
        }
        return EmulatorProcess(host: ready.host, token: ready.token, warehouseID: ready.warehouse_id,
                               storage: ready.storage ?? ready.host, caFile: ready.ca_file, dataDirectory: data,
                               logFile: log, clientID: ready.client_id, clientSecret: ready.client_secret)
    }

    /// A data directory seeded by `python -m emulator seed --scale S`, created once per scale
    /// under `<repo>/.build/emulator-data/` and reused (tests must not modify it; copy it first).
    public static func seededDataDirectory(scale: Double) throws -> String {
        let root = EmulatorPaths.repositoryRoot + "/.build/emulator-data"
        // Keyed by the seed script's content too: a changed seed gets fresh data, never stale tables.
        let seed = FileManager.default.contents(atPath: EmulatorPaths.repositoryRoot + "/emulator/seed.py") ?? Data()
        let digest = seed.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        let target = "\(root)/scale-\(scale)-\(String(digest, radix: 16))"
        let manager = FileManager.default
        if manager.fileExists(atPath: target + "/.seeded") { return target }
        try manager.createDirectory(atPath: root, withIntermediateDirectories: true)
        let staging = "\(root)/.staging-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        try? manager.removeItem(atPath: staging)
        try runToCompletion(EmulatorPaths.python(), ["-m", "emulator", "seed", "--data", staging, "--scale", "\(scale)"])
        _ = manager.createFile(atPath: staging + "/.seeded", contents: Data())
        // Another test process may have won the race; either copy is complete.
        if (try? manager.moveItem(atPath: staging, toPath: target)) == nil {
            try? manager.removeItem(atPath: staging)
            guard manager.fileExists(atPath: target + "/.seeded") else {
                throw EmulatorError.seedFailed(status: -1, output: "could not move the seeded data into \(target)")
            }
        }
        return target
    }

    /// Copies a seeded directory to a fresh temporary one, for tests that change tables.
    public static func scratchCopy(of directory: String) throws -> String {
        let target = NSTemporaryDirectory() + "dbduck-emulator-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: directory, toPath: target)
        return target
    }

    static func runToCompletion(_ python: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: EmulatorPaths.repositoryRoot)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EmulatorError.seedFailed(status: process.terminationStatus,
                                           output: String(decoding: data.suffix(2000), as: UTF8.self))
        }
    }
}

/// Why the emulator could not be used.
public enum EmulatorError: Error, CustomStringConvertible {
    case missingVenv(path: String)
    case didNotStart(status: Int32?, log: String, tail: String)
    case badHandshake(line: String, log: String)
    case seedFailed(status: Int32, output: String)
    case adminFailed(path: String, status: Int, body: String)

    public var description: String {
        switch self {
        case .missingVenv(let path):
            return "The emulator's Python venv is missing (\(path)). Run `make test` (it creates .venv), or set DBDUCK_VENV."
        case .didNotStart(let status, let log, let tail):
            return "The emulator did not start (exit status \(status.map(String.init) ?? "none"); log \(log)):\n\(tail)"
        case .badHandshake(let line, let log):
            return "The emulator's first line is not the expected JSON {host, token, warehouse_id, storage}: \(line) (log \(log))"
        case .adminFailed(let path, let status, let body):
            return "The emulator refused \(path) (HTTP \(status)): \(body)"
        case .seedFailed(let status, let output):
            return "`python -m emulator seed` failed (status \(status)):\n\(output)"
        }
    }
}

enum EmulatorPaths {
    /// The repository root: this file is Sources/DBDuckTesting/EmulatorProcess.swift.
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Runs `python -m emulator` after unblocking SIGTERM/SIGINT: a child inherits the signal
    /// mask of the spawning thread, and Swift's worker threads block those signals, so without
    /// this the emulator could not shut down cleanly on SIGTERM.
    static let unblockingBootstrap = """
        import runpy, signal, sys
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
        sys.argv[0] = "emulator"
        runpy.run_module("emulator", run_name="__main__", alter_sys=True)
        """

    static func python() throws -> String {
        let venv = ProcessInfo.processInfo.environment["DBDUCK_VENV"] ?? repositoryRoot + "/.venv"
        let python = venv + "/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python) else { throw EmulatorError.missingVenv(path: venv) }
        return python
    }
}

/// The child process. `Process` is not Sendable; this box only calls its thread-safe members
/// (`isRunning`, `terminate`, `processIdentifier`) from other threads.
final class ServerProcess: @unchecked Sendable {
    private let process = Process()
    private let stdout = Pipe()
    let logFile: String

    init(python: String, arguments: [String]) throws {
        logFile = NSTemporaryDirectory() + "dbduck-emulator-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: logFile, contents: Data())
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: EmulatorPaths.repositoryRoot)
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: logFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Reads the first stdout line on a background thread, then keeps draining stdout so the
    /// emulator never blocks on a full pipe.
    func firstLine(timeout seconds: Double) async throws -> String {
        let handle = stdout.fileHandleForReading
        let line: String? = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    Thread.detachNewThread {
                        var buffer = Data()
                        while true {
                            let data = handle.availableData
                            if data.isEmpty { continuation.resume(returning: nil); return }
                            buffer.append(data)
                            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                                continuation.resume(returning: String(decoding: buffer[..<newline], as: UTF8.self))
                                while !handle.availableData.isEmpty {}   // drain until the emulator exits
                                return
                            }
                        }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let line, !line.isEmpty else {
            stop()
            let tail = (try? String(contentsOfFile: logFile, encoding: .utf8)).map { String($0.suffix(3000)) } ?? ""
            throw EmulatorError.didNotStart(status: process.isRunning ? nil : process.terminationStatus, log: logFile,
                                            tail: tail)
        }
        return line
    }

    /// SIGTERM, then SIGKILL after 5 s.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        // waitUntilExit, not polling isRunning: Foundation notices the exit while it waits.
        let exited = DispatchSemaphore(value: 0)
        let process = self.process
        Thread.detachNewThread {
            process.waitUntilExit()
            exited.signal()
        }
        if exited.wait(timeout: .now() + 5) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            _ = exited.wait(timeout: .now() + 5)
        }
    }
}
