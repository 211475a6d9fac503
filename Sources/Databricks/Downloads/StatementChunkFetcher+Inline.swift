import ArrowIPC
import Foundation
import NIOCore
import NIOFoundationCompat
import Timing

/// Inline results: JSON pages from the status response or the chunk endpoint, and the hybrid
/// disposition's Arrow attachment. A bad inline page is not retried (the API call itself was).
extension StatementChunkFetcher {
    func fetchInline(_ slot: ChunkSlot, lease: MemoryLease) async throws -> ResultChunk {
        let data: ResultDataWire
        var wireBytes = 0
        if let initial, (initial.chunk_index ?? 0) == slot.index, let attachment = initial.attachment {
            return try await decodeAttachment(attachment, slot: slot, data: initial, lease: lease)
        }
        if let initial, (initial.chunk_index ?? 0) == slot.index, initial.data_array != nil {
            data = initial
        } else {
            let path = "/api/2.0/sql/statements/\(statementID)/result/chunks/\(slot.index)"
            let start = ContinuousClock.now
            let response = try await api.send(.GET, path, table: table)
            wireBytes = response.body.readableBytes
            try await lease.hold(wireBytes * 2)
            do { data = try JSONDecoder().decode(ResultDataWire.self, from: response.body) } catch {
                throw integrity.corrupt(slot.index, "the chunk response is not valid JSON (\(WorkspaceAPI.decodingSummary(error)))")
            }
            observer?.record(TransferEvent(phase: .download, table: table, start: start, duration: start.duration(to: .now),
                                           bytes: wireBytes, rows: data.data_array?.count ?? 0,
                                           detail: "inline chunk \(slot.index)"))
        }
        guard let array = data.data_array else {
            throw ResultError.missingChunk(table: table, chunk: slot.index, chunkCount: chunkCount)
        }
        let rows = array.map { $0.map(\.value) }
        let expected = slot.rowCount ?? data.row_count ?? Int64(rows.count)
        do throws(ChunkIntegrity.Failure) { try integrity.expect(Int64(rows.count), expected, chunk: slot.index) } catch { throw error.error }
        let chunk = ResultChunk(index: slot.index, rowOffset: slot.rowOffset ?? data.row_offset ?? 0, rowCount: expected,
                                wireBytes: wireBytes, payload: .json(rows))
        try await lease.hold(chunk.memoryBytes)
        return chunk
    }

    /// A hybrid-disposition result: one Arrow IPC stream, base64, LZ4-framed when the manifest says so.
    private func decodeAttachment(_ text: String, slot: ChunkSlot, data: ResultDataWire, lease: MemoryLease) async throws
        -> ResultChunk
    {
        guard let raw = Data(base64Encoded: text) else {
            throw integrity.corrupt(slot.index, "the inline attachment is not base64")
        }
        var stream = ByteBuffer(data: raw)
        if compressed {
            let start = ContinuousClock.now
            do { stream = try LZ4FrameDecoder.decompressAll(stream) } catch {
                throw integrity.corrupt(slot.index, "LZ4: \(error)")
            }
            observer?.record(TransferEvent(phase: .decompress, table: table, start: start, duration: start.duration(to: .now),
                                           bytes: stream.readableBytes, detail: "inline attachment LZ4"))
        }
        let rows: Int64
        do throws(ChunkIntegrity.Failure) {
            rows = try integrity.arrowRows([stream], chunk: slot.index)
            try integrity.expect(rows, slot.rowCount ?? data.row_count, chunk: slot.index)
        } catch {
            throw error.error
        }
        try await lease.hold(stream.readableBytes)
        return ResultChunk(index: slot.index, rowOffset: slot.rowOffset ?? 0, rowCount: rows, wireBytes: raw.count,
                           payload: .arrow([stream]))
    }
}
