/// A result that could not be read completely and exactly. Rows already yielded are a correct
/// prefix; nothing after the failure is yielded.
public enum ResultError: Error, Sendable, CustomStringConvertible {
    /// A chunk's download failed after all attempts. `cause` is secret-free (status or transport reason).
    case downloadFailed(table: String?, chunk: Int, chunkCount: Int, attempts: Int, cause: String)
    /// A chunk decoded to a different number of rows than the manifest promised.
    case rowCountMismatch(table: String?, chunk: Int, chunkCount: Int, expected: Int64, actual: Int64)
    /// The chunks together hold a different number of rows than `total_row_count`.
    case totalRowCountMismatch(table: String?, expected: Int64, actual: Int64)
    /// A chunk's bytes are not valid for its format (bad LZ4 frame, bad JSON, …).
    case corruptChunk(table: String?, chunk: Int, chunkCount: Int, reason: String)
    /// The server described the result in a way dbduck does not read.
    case unsupported(String)
    /// The server did not provide a link or page for a chunk.
    case missingChunk(table: String?, chunk: Int, chunkCount: Int)

    public var description: String {
        switch self {
        case .downloadFailed(let table, let chunk, let count, let attempts, let cause):
            return "\(Self.prefix(table))chunk \(chunk + 1) of \(count) failed after \(attempts) attempt\(attempts == 1 ? "" : "s") (\(cause)). Rerun to retry."
        case .rowCountMismatch(let table, let chunk, let count, let expected, let actual):
            return "\(Self.prefix(table))chunk \(chunk + 1) of \(count) held \(actual) rows, the manifest says \(expected). The result is incomplete; rerun."
        case .totalRowCountMismatch(let table, let expected, let actual):
            return "\(Self.prefix(table))the chunks held \(actual) rows, total_row_count says \(expected). The result is incomplete; rerun."
        case .corruptChunk(let table, let chunk, let count, let reason):
            return "\(Self.prefix(table))chunk \(chunk + 1) of \(count) is corrupt: \(reason)."
        case .unsupported(let what):
            return "Unsupported result: \(what)."
        case .missingChunk(let table, let chunk, let count):
            return "\(Self.prefix(table))the server returned no data or link for chunk \(chunk + 1) of \(count)."
        }
    }

    private static func prefix(_ table: String?) -> String { table.map { "\($0): " } ?? "" }
}
