import Foundation

/// What a `--to` path is, judged by its content before anything runs: dbduck writes only into a
/// DuckDB database file, or creates one. Anything else is refused with the reason, untouched.
public enum TargetFile: Sendable, Equatable {
    /// Nothing there yet; the directory exists, so DuckDB can create the file.
    case new
    /// A 0-byte file (e.g. from `touch` or `mktemp`): holds no data, so it is used as a new database.
    case empty
    /// An existing DuckDB database file.
    case duckdb

    /// Classifies `path`, or throws ``TargetFileError`` saying why dbduck will not write there.
    public static func classify(_ path: String) throws(TargetFileError) -> TargetFile {
        let trimmed = path.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw TargetFileError(path: path, reason: "is empty. Name a DuckDB file, e.g. --to analytics.duckdb.") }
        if trimmed.lowercased().hasPrefix(":memory:") {
            throw TargetFileError(path: path, reason: "is DuckDB's in-memory database: every copy would vanish when dbduck exits. Name a file, e.g. --to analytics.duckdb.")
        }
        if let scheme = remoteScheme(trimmed) {
            throw TargetFileError(path: path, reason: "is a remote location (\(scheme)); dbduck writes a local DuckDB file. Name a local path, e.g. --to analytics.duckdb.")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            let parent = (path as NSString).deletingLastPathComponent
            let directory = parent.isEmpty ? "." : parent
            var parentIsDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &parentIsDirectory), parentIsDirectory.boolValue else {
                throw TargetFileError(path: path, reason: "cannot be created: the directory \(directory) does not exist.")
            }
            guard FileManager.default.isWritableFile(atPath: directory) else {
                throw TargetFileError(path: path, reason: "cannot be created: the directory \(directory) is not writable.")
            }
            return .new
        }
        if isDirectory.boolValue {
            throw TargetFileError(path: path, reason: "is a directory. Name a file inside it, e.g. \((path as NSString).appendingPathComponent("analytics.duckdb")).")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TargetFileError(path: path, reason: "exists but cannot be read. Check its permissions.")
        }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 64)) ?? Data()
        if head.isEmpty { return .empty }
        if let kind = FileSignature.foreignKind(of: head) {
            throw TargetFileError(path: path, reason: "is \(kind), not a DuckDB database; dbduck leaves it as it is. Name a new or DuckDB file, e.g. --to analytics.duckdb.")
        }
        return .duckdb
    }

    /// The URL scheme of a remote location (`s3://`, `https://`, `md:`), or nil for a local path.
    static func remoteScheme(_ path: String) -> String? {
        if let range = path.range(of: "://") { return String(path[..<range.lowerBound]) + "://" }
        for prefix in ["md:", "motherduck:"] where path.lowercased().hasPrefix(prefix) { return prefix }
        return nil
    }
}

/// How a file's first bytes say what it is.
enum FileSignature {
    /// A description of a non-DuckDB file ("a Parquet file"), or nil when it is a DuckDB database.
    /// DuckDB's main header carries the magic "DUCK" at offset 8.
    static func foreignKind(of head: Data) -> String? {
        let bytes = [UInt8](head)
        if bytes.count >= 12, Array(bytes[8..<12]) == Array("DUCK".utf8) { return nil }
        if bytes.starts(with: Array("SQLite format 3\0".utf8)) { return "a SQLite database" }
        if bytes.starts(with: Array("PAR1".utf8)) { return "a Parquet file" }
        if bytes.starts(with: [0x1F, 0x8B]) { return "a gzip file" }
        let text = bytes.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }
        if let first = text.first, first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return "a JSON file" }
        let printable = bytes.allSatisfy { $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        return printable ? "a text file (CSV or similar)" : "a file of another kind (it has no DuckDB header)"
    }
}

/// A `--to` path dbduck will not write into.
public struct TargetFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "the target \(path) \(reason)" }
}
