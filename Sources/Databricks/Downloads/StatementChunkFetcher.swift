import ArrowIPC
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import Timing

/// Fetches the chunks of one statement result: inline JSON pages through the chunk endpoint,
/// external links straight from storage (no `Authorization`, every `http_headers` pair), with
/// link refresh, retries, LZ4 decompression decided by the manifest, and row-count checks.
struct StatementChunkFetcher: ChunkFetching {
    let api: WorkspaceAPI
    let statementID: String
    let manifest: ResultManifest
    let disposition: ResultDisposition
    let initial: ResultDataWire?
    let links: ExternalLinkStore
    let table: String?

    var compressed: Bool { manifest.compression?.uppercased() == "LZ4_FRAME" }
    private var chunkCount: Int { manifest.totalChunkCount }
    private var observer: (any TransferObserver)? { api.observer }
    private var options: ClientOptions { api.options }

    func fetch(_ slot: ChunkSlot, lease: MemoryLease) async throws -> ResultChunk {
        switch disposition {
        case .inline: return try await fetchInline(slot, lease: lease)
        case .externalLinks, .inlineOrExternalLinks: return try await download(slot, lease: lease)
        }
    }

    // MARK: Inline pages

    private func fetchInline(_ slot: ChunkSlot, lease: MemoryLease) async throws -> ResultChunk {
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
                throw ResultError.corruptChunk(table: table, chunk: slot.index, chunkCount: chunkCount,
                                               reason: "the chunk response is not valid JSON (\(WorkspaceAPI.decodingSummary(error)))")
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
        guard Int64(rows.count) == expected else {
            throw ResultError.rowCountMismatch(table: table, chunk: slot.index, chunkCount: chunkCount, expected: expected,
                                               actual: Int64(rows.count))
        }
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
            throw ResultError.corruptChunk(table: table, chunk: slot.index, chunkCount: chunkCount,
                                           reason: "the inline attachment is not base64")
        }
        var stream = ByteBuffer(data: raw)
        if compressed {
            let start = ContinuousClock.now
            do { stream = try LZ4FrameDecoder.decompressAll(stream) } catch {
                throw ResultError.corruptChunk(table: table, chunk: slot.index, chunkCount: chunkCount, reason: "LZ4: \(error)")
            }
            observer?.record(TransferEvent(phase: .decompress, table: table, start: start, duration: start.duration(to: .now),
                                           bytes: stream.readableBytes, detail: "inline attachment LZ4"))
        }
        let rows: Int64
        do { rows = try ArrowRowCounter.count(stream).rows } catch {
            throw ResultError.corruptChunk(table: table, chunk: slot.index, chunkCount: chunkCount, reason: "\(error)")
        }
        let expected = slot.rowCount ?? data.row_count ?? rows
        guard rows == expected else {
            throw ResultError.rowCountMismatch(table: table, chunk: slot.index, chunkCount: chunkCount, expected: expected,
                                               actual: rows)
        }
        try await lease.hold(stream.readableBytes)
        return ResultChunk(index: slot.index, rowOffset: slot.rowOffset ?? 0, rowCount: rows, wireBytes: raw.count,
                           payload: .arrow([stream]))
    }

    // MARK: External links

    private func download(_ slot: ChunkSlot, lease: MemoryLease) async throws -> ResultChunk {
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
            let received: Received
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
            } catch let error as MemoryPreemption {
                throw error.underlying
            } catch let problem as Problem {
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
            switch try check(received, slot: slot, link: link, attempt: attempt) {
            case .success(let chunk):
                try await lease.hold(chunk.memoryBytes)
                return .success(chunk)
            case .failure(let problem):
                return .retry(cause: problem.cause, retryAfter: nil, error: problem.error)
            }
        }
    }

    private struct Received {
        /// The body in order: one piece per completed LZ4 frame, or the whole uncompressed body.
        var pieces: [ByteBuffer]
        var wireBytes: Int
        var decompressTime: Duration?

        var bytes: Int { pieces.reduce(0) { $0 + $1.readableBytes } }
        /// The body as one buffer (JSON and CSV are parsed whole).
        var joined: ByteBuffer { pieces.joined }
    }

    /// Wraps pipeline preemption so the retry loop does not mistake it for a transport error.
    private struct MemoryPreemption: Error { var underlying: any Error }

    /// Reads the body, decompressing LZ4 frames as they arrive, reporting held bytes to the lease.
    private func receive(_ response: HTTPClientResponse, slot: ChunkSlot, link: ExternalLink, lease: MemoryLease,
                         progress: StallWatchdog.Progress) async throws -> Received
    {
        let expectedLength = response.headers.first(name: "Content-Length").flatMap { Int($0) }
        var wireBytes = 0
        var output = ByteBuffer()                       // the uncompressed body
        var pieces: [ByteBuffer] = []                   // or the decompressed frames, one buffer each
        var piecesBytes = 0
        if let size = slot.payloadBytes ?? expectedLength, size > 0, size < 1 << 31 {
            // One allocation of the final size: growing by doubling would copy a 20 MB body several times.
            if !compressed { output.reserveCapacity(size) }
            // What memory will hold once the chunk is here, whatever has arrived yet.
            do { try await progress.paused { try await lease.hold(size) } } catch {
                throw MemoryPreemption(underlying: error)
            }
        }
        // Over HTTPS, TLS authenticates every byte from storage: the frames' own checksums would
        // only cost CPU. Over plain HTTP (an emulator, a proxy) they are the integrity check.
        let tls = link.url.exposedValue.lowercased().hasPrefix("https:")
        var decoder = compressed ? LZ4FrameDecoder(verifyChecksums: !tls) : nil
        var decompressTime: Duration = .zero
        for try await part in response.body {
            progress.touch()
            wireBytes += part.readableBytes
            var pending = 0
            if var active = decoder {
                // Drop the optional's copy first: two copies of the decoder share its frame buffer,
                // and every write would then copy the whole frame in progress (quadratic per chunk).
                decoder = nil
                let before = ContinuousClock.now
                let frames: [ByteBuffer]
                do { frames = try active.frames(part) } catch {
                    throw Problem(cause: "invalid LZ4 data", error: .corruptChunk(
                        table: table, chunk: slot.index, chunkCount: chunkCount, reason: "LZ4: \(error)"))
                }
                decompressTime += before.duration(to: .now)
                for frame in frames {
                    piecesBytes += frame.readableBytes
                    pieces.append(frame)
                }
                pending = active.pendingBytes
                decoder = active
            } else {
                var copy = part
                output.writeBuffer(&copy)
            }
            let holding = compressed ? piecesBytes + pending + part.readableBytes : output.capacity + part.readableBytes
            do { try await progress.paused { try await lease.hold(holding) } } catch {
                throw MemoryPreemption(underlying: error)
            }
        }
        if let expectedLength, expectedLength != wireBytes {
            throw HTTPClientError.bodyLengthMismatch
        }
        if var active = decoder {
            do { try active.finish() } catch {
                throw Problem(cause: "LZ4 stream cut inside a frame", error: .corruptChunk(
                    table: table, chunk: slot.index, chunkCount: chunkCount, reason: "LZ4 stream cut inside a frame (\(error))"))
            }
        }
        return Received(pieces: compressed ? pieces : [output], wireBytes: wireBytes,
                        decompressTime: compressed ? decompressTime : nil)
    }

    private struct Problem: Error { var cause: String; var error: ResultError }

    /// Decodes enough to count rows and compares with the manifest; a mismatch is retried (it is
    /// what a silently cut download looks like).
    private func check(_ received: Received, slot: ChunkSlot, link: ExternalLink, attempt: Int) throws
        -> Result<ResultChunk, Problem>
    {
        let expected = slot.rowCount ?? link.rowCount
        let rowOffset = slot.rowOffset ?? link.rowOffset ?? 0
        let rows: Int64
        let payload: ResultChunk.Payload
        switch manifest.format {
        case .arrowStream:
            do {
                let counted = try ArrowRowCounter.count(pieces: received.pieces)
                rows = counted.rows
            } catch {
                return .failure(Problem(cause: "undecodable Arrow stream (\(error))",
                                        error: .corruptChunk(table: table, chunk: slot.index, chunkCount: chunkCount,
                                                             reason: "\(error)")))
            }
            payload = .arrow(received.pieces)
        case .jsonArray:
            guard let array = try? JSONDecoder().decode([[JSONCell]].self, from: received.joined) else {
                return .failure(Problem(cause: "invalid JSON body",
                                        error: .corruptChunk(table: table, chunk: slot.index, chunkCount: chunkCount,
                                                             reason: "the JSON_ARRAY body is not an array of rows")))
            }
            let values = array.map { $0.map(\.value) }
            rows = Int64(values.count)
            payload = .json(values)
        case .csv:
            let body = received.joined
            guard let records = CSVRecordCounter.count(body) else {
                return .failure(Problem(cause: "CSV cut inside a quoted field",
                                        error: .corruptChunk(table: table, chunk: slot.index, chunkCount: chunkCount,
                                                             reason: "CSV ends inside a quoted field")))
            }
            rows = slot.index == 0 && records > 0 ? records - 1 : records
            payload = .csv(body)
        }
        if let expected, expected != rows {
            return .failure(Problem(cause: "chunk held \(rows) rows, expected \(expected)",
                                    error: .rowCountMismatch(table: table, chunk: slot.index, chunkCount: chunkCount,
                                                             expected: expected, actual: rows)))
        }
        return .success(ResultChunk(index: slot.index, rowOffset: rowOffset, rowCount: rows,
                                    wireBytes: received.wireBytes, payload: payload))
    }
}
