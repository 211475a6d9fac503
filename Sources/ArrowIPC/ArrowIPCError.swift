/// Why an Arrow IPC stream (or an LZ4-framed body) could not be decoded or exported.
///
/// Always says what was being read, where (a byte offset into the stream, when known) and, for
/// truncation, how many bytes were needed and how many exist. It never contains data values.
public struct ArrowIPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The bytes end before a structure they announce.
        case truncated
        /// The bytes are not a valid Arrow IPC stream (bad offset, length, layout or enum value).
        case invalid
        /// Valid Arrow, but a feature this reader does not implement.
        case unsupported
        /// LZ4 or ZSTD decompression failed.
        case decompression
    }

    public var kind: Kind
    /// What went wrong, in words.
    public var message: String
    /// Byte offset into the stream (or into the compressed input for LZ4 framing), when known.
    public var offset: Int?

    public init(_ kind: Kind, _ message: String, offset: Int? = nil) {
        self.kind = kind; self.message = message; self.offset = offset
    }

    /// `need` bytes were required at `offset` but only `have` exist.
    public static func truncated(_ what: String, at offset: Int, need: Int, have: Int) -> ArrowIPCError {
        ArrowIPCError(.truncated, "\(what): need \(need) bytes, have \(have)", offset: offset)
    }

    public static func invalid(_ message: String, at offset: Int? = nil) -> ArrowIPCError {
        ArrowIPCError(.invalid, message, offset: offset)
    }

    public static func unsupported(_ message: String, at offset: Int? = nil) -> ArrowIPCError {
        ArrowIPCError(.unsupported, message, offset: offset)
    }

    public var description: String {
        let place = offset.map { " at byte \($0)" } ?? ""
        return "Arrow IPC \(kind.rawValue)\(place): \(message)"
    }
}
