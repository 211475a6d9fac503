import DBDuckTesting
import Foundation

/// Runs the built `dbduck` binary (it sits next to the test bundle) and captures what it prints.
struct CLIProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("dbduck").path
    }

    /// The environment for a run against `emulator` (nothing inherited that could point elsewhere).
    static func environment(_ emulator: EmulatorProcess?) -> [String: String] {
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        if let emulator {
            env["DATABRICKS_HOST"] = emulator.host
            env["DATABRICKS_TOKEN"] = emulator.token
            env["DATABRICKS_WAREHOUSE_ID"] = emulator.warehouseID
        }
        return env
    }

    static func start(_ arguments: [String], environment: [String: String], stderr: FileHandle? = nil) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    static func run(_ arguments: [String], environment: [String: String]) throws -> Result {
        // stderr goes to a file, so neither pipe can fill up and block the child while we read the other.
        let errPath = scratch("stderr.txt")
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let errFile = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errFile
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errFile.close()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The repository root, found from this file's path (Tests/CLITests/CLIProcess.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func scratch(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "dbduck-cli-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/" + name
    }
}
