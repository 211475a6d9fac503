import ArrowIPC
import AsyncHTTPClient
import NIOCore

/// What a download received: the body, decompressed frame by frame when the manifest says LZ4.
struct ReceivedBody {
    /// The body in order: one piece per completed LZ4 frame, or the whole uncompressed body.
    var pieces: [ByteBuffer]
    var wireBytes: Int
    /// Time spent decompressing, nil for an uncompressed body.
    var decompressTime: Duration?

    var bytes: Int { pieces.reduce(0) { $0 + $1.readableBytes } }

    /// Wraps pipeline preemption so the retry loop does not mistake it for a transport error.
    struct Preemption: Error { var underlying: any Error }
}

extension StatementChunkFetcher {
    /// Reads the body, decompressing LZ4 frames as they arrive, reporting held bytes to the lease.
    /// - Throws: ``ReceivedBody/Preemption`` when the pipeline needs the memory back,
    ///   ``ChunkIntegrity/Failure`` for corrupt LZ4 framing, transport errors as they come.
    func receive(_ response: HTTPClientResponse, slot: ChunkSlot, link: ExternalLink, lease: MemoryLease,
                 progress: StallWatchdog.Progress)
        async throws -> ReceivedBody
    {
        let expectedLength = response.headers.first(name: "Content-Length").flatMap { Int($0) }
        var wireBytes = 0
        var output = ByteBuffer()                       // the uncompressed body
        var pieces: [ByteBuffer] = []                   // or the decompressed frames, one buffer each
        var piecesBytes = 0
        if let size = slot.payloadBytes ?? expectedLength, size > 0, size < 1 << 31 {
            // One allocation of the final size: growing by doubling would copy a large body several times.
            if !compressed { output.reserveCapacity(size) }
            // What memory will hold once the chunk is here, whatever has arrived yet.
            do { try await progress.paused { try await lease.hold(size) } } catch {
                throw ReceivedBody.Preemption(underlying: error)
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
                    throw ChunkIntegrity.Failure(cause: "invalid LZ4 data", error: integrity.corrupt(slot.index, "LZ4: \(error)"))
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
                throw ReceivedBody.Preemption(underlying: error)
            }
        }
        if let expectedLength, expectedLength != wireBytes {
            throw HTTPClientError.bodyLengthMismatch
        }
        if var active = decoder {
            do { try active.finish() } catch {
                throw ChunkIntegrity.Failure(cause: "LZ4 stream cut inside a frame",
                                             error: integrity.corrupt(slot.index, "LZ4 stream cut inside a frame (\(error))"))
            }
        }
        return ReceivedBody(pieces: compressed ? pieces : [output], wireBytes: wireBytes,
                            decompressTime: compressed ? decompressTime : nil)
    }
}
