import AsyncHTTPClient
import Foundation
import Timing

/// External links: a chunk is fetched straight from storage (no `Authorization`, every
/// `http_headers` pair), and retried on a refused or expired link (with a fresh link), on a
/// transient HTTP status or transport error, and on a body that fails its integrity check.
extension StatementChunkFetcher {
    func download(_ slot: ChunkSlot, lease: MemoryLease) async throws -> ResultChunk {
        var refresh = false
        var stalled = false
        let watchdog = StallWatchdog(limit: options.stallTimeout)
        let operation = "chunk \(slot.index)"
        return try await withRetries(policy: options.retry, observer: observer, logger: api.logger, table: table,
                                     operation: operation) { attempt in
            let link = try await links.link(for: slot.index, refresh: refresh)
            refresh = false
            var request = HTTPClientRequest(url: link.url.exposedValue)
            request.method = .GET
            // Storage authenticates the URL itself; only the link's own headers are sent.
            for (name, value) in link.headers { request.headers.add(name: name, value: value.exposedValue) }
            let start = ContinuousClock.now
            let failure = { (cause: String) in
                ResultError.downloadFailed(table: table, chunk: slot.index, chunkCount: chunkCount, attempts: attempt,
                                           cause: cause)
            }
            let received: ReceivedBody
            do {
                let transport = api.transport
                let sent = request
                let response = try await watchdog.run { _ in try await transport.open(sent, timeout: .seconds(3600)) }
                let status = Int(response.status.code)
                guard status == 200 else {
                    let retryAfter = response.headers.retryAfter
                    let cause = "HTTP \(status) from storage"
                    switch status {
                    case 400, 401, 403, 404:
                        // Expired or revoked link: ask the chunk endpoint for a new one.
                        refresh = true
                        return .retry(cause: cause + ", refreshing the link", retryAfter: nil, error: failure(cause))
                    case 408, 429, 500...599:
                        return .retry(cause: cause, retryAfter: retryAfter, error: failure(cause))
                    default:
                        throw failure(cause)
                    }
                }
                received = try await watchdog.run { progress in
                    try await self.receive(response, slot: slot, link: link, lease: lease, progress: progress)
                }
            } catch let stall as StallWatchdog.Stalled {
                // A stalled link is fetched again once; a second stall fails the table with the reason.
                guard !stalled else { throw failure(stall.reason) }
                stalled = true
                refresh = true
                return .retry(cause: stall.reason + ", fetching the link again", retryAfter: .zero, error: failure(stall.reason))
            } catch let error as ReceivedBody.Preemption {
                throw error.underlying
            } catch let problem as ChunkIntegrity.Failure {
                return .retry(cause: problem.cause, retryAfter: nil, error: problem.error)
            } catch let error as ResultError {
                throw error
            } catch {
                if error is ChunkPipeline.Preempted || error is CancellationError || Task.isCancelled { throw error }
                let (retryable, reason) = TransportFailure.classify(error)
                guard retryable else { throw failure(reason) }
                return .retry(cause: "\(reason) from storage", retryAfter: nil, error: failure(reason))
            }
            // Frames are decompressed between network reads: the receive time is split into the
            // time spent waiting for bytes (download) and the time spent decompressing, so neither
            // is counted twice and the bandwidth seen is the network's.
            let total = start.duration(to: .now)
            let decompressTime = min(received.decompressTime ?? .zero, total)
            observer?.record(TransferEvent(phase: .download, table: table, start: start, duration: total - decompressTime,
                                           bytes: received.wireBytes, detail: "chunk \(slot.index)"))
            if received.decompressTime != nil {
                observer?.record(TransferEvent(phase: .decompress, table: table, start: start + (total - decompressTime),
                                               duration: decompressTime, bytes: received.bytes, detail: "chunk \(slot.index) LZ4"))
            }
            let chunk: ResultChunk
            do throws(ChunkIntegrity.Failure) { chunk = try verified(received, slot: slot, link: link) } catch {
                // A mismatch is retried: it is what a silently cut download looks like.
                return .retry(cause: error.cause, retryAfter: nil, error: error.error)
            }
            try await lease.hold(chunk.memoryBytes)
            return .success(chunk)
        }
    }

    /// The chunk the body holds, once its rows are counted and match the manifest.
    private func verified(_ received: ReceivedBody, slot: ChunkSlot, link: ExternalLink) throws(ChunkIntegrity.Failure)
        -> ResultChunk
    {
        let (payload, rows) = try integrity.payload(manifest.format, pieces: received.pieces, chunk: slot.index)
        try integrity.expect(rows, slot.rowCount ?? link.rowCount, chunk: slot.index)
        return ResultChunk(index: slot.index, rowOffset: slot.rowOffset ?? link.rowOffset ?? 0, rowCount: rows,
                           wireBytes: received.wireBytes, payload: payload)
    }
}
