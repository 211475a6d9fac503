import ArrowIPC
import NIOCore

/// One chunk of a statement result, in row order.
public struct ResultChunk: Sendable {
    public var index: Int
    /// Row number of the chunk's first row within the whole result.
    public var rowOffset: Int64
    /// Rows in this chunk, checked against the manifest.
    public var rowCount: Int64
    /// Bytes received over the network for this chunk (compressed size for LZ4 results; 0 for
    /// the inline page that came with the status response).
    public var wireBytes: Int
    public var payload: Payload

    public enum Payload: Sendable {
        /// A complete Arrow IPC stream (schema, batches, EOS), already decompressed.
        case arrow(ByteBuffer)
        /// JSON_ARRAY rows: every non-null value is a string, NULL is nil.
        case json([[String?]])
        /// RFC 4180 CSV text; only chunk 0 starts with the header row.
        case csv(ByteBuffer)
    }

    public init(index: Int, rowOffset: Int64, rowCount: Int64, wireBytes: Int, payload: Payload) {
        self.index = index; self.rowOffset = rowOffset; self.rowCount = rowCount
        self.wireBytes = wireBytes; self.payload = payload
    }

    /// Approximate bytes the payload keeps in memory (what the memory budget accounts).
    public var memoryBytes: Int {
        switch payload {
        case .arrow(let buffer), .csv(let buffer): return buffer.readableBytes
        case .json(let rows): return Self.estimateJSONBytes(rows)
        }
    }

    static func estimateJSONBytes(_ rows: [[String?]]) -> Int {
        var total = 0
        for row in rows {
            total += 16 + row.count * 16
            for cell in row { total += cell?.utf8.count ?? 0 }
        }
        return total
    }
}
