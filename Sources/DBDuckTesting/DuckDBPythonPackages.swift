import Foundation

/// Older DuckDB releases as their Python packages, each in a small venv of its own under
/// `<repo>/.build/duckdb-python/<series>/`, created once (idempotently) and reused: tests open
/// dbduck's files with them to prove that DuckDB versions other than the linked one read them.
public enum DuckDBPythonPackages {
    private static let lock = NSLock()

    /// The Python interpreter of a venv holding `duckdb==<series>.*` (e.g. "1.4"), installed from
    /// PyPI on first use with progress on stderr.
    /// - Throws: ``EmulatorError/seedFailed(status:output:)`` with pip's output when the install fails.
    public static func python(series: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let venv = EmulatorPaths.repositoryRoot + "/.build/duckdb-python/\(series)"
        let python = venv + "/bin/python"
        let marker = venv + "/.installed"
        let manager = FileManager.default
        if manager.fileExists(atPath: marker) { return python }
        try? manager.removeItem(atPath: venv)   // a half-made venv from an interrupted run
        try manager.createDirectory(atPath: venv, withIntermediateDirectories: true)
        say("creating a venv with duckdb==\(series).* at \(venv) (once)")
        try EmulatorProcess.runToCompletion("/usr/bin/env", ["python3", "-m", "venv", venv])
        say("installing duckdb==\(series).* from PyPI")
        try EmulatorProcess.runToCompletion(python, ["-m", "pip", "install", "-q", "--disable-pip-version-check", "duckdb==\(series).*"])
        _ = manager.createFile(atPath: marker, contents: Data())
        say("duckdb==\(series).* ready")
        return python
    }

    private static func say(_ line: String) {
        FileHandle.standardError.write(Data("[test] \(line)\n".utf8))
    }
}
