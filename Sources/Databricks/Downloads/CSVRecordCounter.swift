import NIOCore

/// Counts RFC 4180 records (quoted fields may hold newlines and doubled quotes). A final record
/// without a trailing newline counts; a quote left open is an error (a cut download). Public for
/// the fuzzer, which feeds it what a download could.
public enum CSVRecordCounter {
    /// The records in `buffer` (a header row counts as one), or nil when it ends inside quotes.
    public static func count(_ buffer: ByteBuffer) -> Int64? {
        var records: Int64 = 0
        var inQuotes = false
        var recordHasContent = false
        buffer.withUnsafeReadableBytes { bytes in
            for byte in bytes {
                if inQuotes {
                    if byte == UInt8(ascii: "\"") { inQuotes = false }   // a doubled quote re-enters below
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""): inQuotes = true; recordHasContent = true
                case UInt8(ascii: "\n"): records += 1; recordHasContent = false
                case UInt8(ascii: "\r"): break
                default: recordHasContent = true
                }
            }
        }
        if inQuotes { return nil }
        return records + (recordHasContent ? 1 : 0)
    }
}
