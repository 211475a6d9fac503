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
        /// A complete Arrow IPC stream (schema, batches, EOS), already decompressed, in pieces read
        /// in order: one per LZ4 frame as they completed (Databricks frames each IPC message, so a
        /// record batch's memory is its own and is freed as soon as DuckDB is done with that batch,
        /// not when the whole chunk is), or a single piece for an uncompressed body.
        case arrow([ByteBuffer])
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
        case .arrow(let pieces): return pieces.reduce(0) { $0 + $1.readableBytes }
        case .csv(let buffer): return buffer.readableBytes
        case .json(let rows): return Self.estimateJSONBytes(rows)
        }
    }

    /// The Arrow stream as one contiguous buffer (a copy when it came in several pieces), for
    /// callers that want the bytes themselves rather than decoded batches.
    public var arrowStreamBytes: ByteBuffer? {
        guard case .arrow(let pieces) = payload else { return nil }
        return pieces.joined
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

extension [ByteBuffer] {
    /// The pieces as one buffer: the piece itself when there is one, else a copy of them all.
    var joined: ByteBuffer {
        if count == 1 { return self[0] }
        var all = ByteBuffer()
        all.reserveCapacity(reduce(0) { $0 + $1.readableBytes })
        for var piece in self { all.writeBuffer(&piece) }
        return all
    }
}
