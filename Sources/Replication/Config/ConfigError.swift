/// A problem in a replication config, located by file, line and key, with how to fix it.
///
/// ```
/// dbduck.yml:14: 'chunk_size' must be a positive integer, got "10k". Write a row count, e.g. chunk_size: 10000.
/// ```
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String, line: Int?, key: String?, message: String) {
        self.file = file; self.line = line; self.key = key; self.message = message
    }

    public var description: String {
        let location = line.map { "\(file):\($0)" } ?? file
        return "\(location): \(message)"
    }
}
