import Foundation
import Timing

/// Fetches the chunks of one statement result: inline pages through the chunk endpoint
/// (``fetchInline(_:lease:)``), external links straight from storage (``download(_:lease:)``),
/// each checked against the manifest (``ChunkIntegrity``) before it is handed on.
struct StatementChunkFetcher: ChunkFetching {
    let api: WorkspaceAPI
    let statementID: String
    let manifest: ResultManifest
    let disposition: ResultDisposition
    let initial: ResultDataWire?
    let links: ExternalLinkStore
    let table: String?

    /// LZ4 decompression is decided by the manifest, whatever the request asked for.
    var compressed: Bool { manifest.compression?.uppercased() == "LZ4_FRAME" }
    var chunkCount: Int { manifest.totalChunkCount }
    var observer: (any TransferObserver)? { api.observer }
    var options: ClientOptions { api.options }
    var integrity: ChunkIntegrity { ChunkIntegrity(table: table, chunkCount: chunkCount) }

    func fetch(_ slot: ChunkSlot, lease: MemoryLease) async throws -> ResultChunk {
        switch disposition {
        case .inline: return try await fetchInline(slot, lease: lease)
        case .externalLinks, .inlineOrExternalLinks: return try await download(slot, lease: lease)
        }
    }
}
