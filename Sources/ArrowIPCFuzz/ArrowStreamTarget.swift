import ArrowIPC
import NIOCore

/// Arrow IPC streams: decoded by ``StreamDecoder`` (each batch exported to C and walked like a
/// consumer reads it) and counted by ``StreamRowCounter``, from the same pieces.
enum ArrowStreamTarget {
    /// `pieces` is the stream in order, each kept separately so ranges straddle piece boundaries.
    static func run(_ pieces: [ByteBuffer], gather: Bool) {
        // A small decompression limit: hostile headers must not be able to allocate gigabytes here.
        var decoder = StreamDecoder(maximumDecompressedBufferBytes: 8 << 20, gatherPiecesSmallerThan: gather ? 64 << 10 : 0)
        var batches: [RecordBatch] = []
        var decoded = true
        do {
            for piece in pieces { batches += try decoder.feed(piece) }
            try decoder.finish()
        } catch {
            precondition(!error.description.isEmpty)
            decoded = false
        }
        let counted: Int64?
        do { counted = try StreamRowCounter.count(pieces) } catch {
            precondition(!error.description.isEmpty)
            counted = nil
        }
        // The counter reads what the decoder reads, minus the bodies: a stream the decoder accepts
        // must count to the rows it decoded (a mismatch would fail good chunks or pass cut ones).
        if decoded {
            precondition(counted == batches.reduce(0) { $0 + Int64($1.length) }, "counter disagrees with the decoder")
        }
        for batch in batches {
            for options in [ExportOptions.duckDB, .faithful] {
                guard let exported = try? batch.exportToC(options: options) else { continue }
                precondition(exported.arrayPointer.pointee.length == Int64(batch.length))
                ConsumerWalk.walk(exported.schemaPointer, exported.arrayPointer)
            }
        }
    }
}
