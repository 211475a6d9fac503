import Foundation
import Timing

/// The external links of one statement: those that came with the status response, and fresh
/// ones from `GET .../result/chunks/{i}` when a link is missing, expires within the refresh
/// margin, or storage refused it. Concurrent requests for one chunk share a single refresh.
actor ExternalLinkStore {
    private let api: WorkspaceAPI
    private let statementID: String
    private let margin: Duration
    private let table: String?
    private let chunkCount: Int
    private var links: [Int: ExternalLink] = [:]
    private var refreshing: [Int: Task<[ExternalLink], any Error>] = [:]
    /// Chunk-endpoint calls made (tests check that refreshes happen).
    private(set) var refreshCount = 0

    init(api: WorkspaceAPI, statementID: String, initial: [ExternalLink], margin: Duration, table: String?,
         chunkCount: Int) {
        self.chunkCount = chunkCount
        self.api = api; self.statementID = statementID; self.margin = margin; self.table = table
        for link in initial { links[link.chunkIndex] = link }
    }

    /// A usable link for `index`; `refresh` forces a new one (the last one was refused).
    func link(for index: Int, refresh: Bool) async throws -> ExternalLink {
        if !refresh, let link = links[index], !expiresSoon(link) { return link }
        if refresh { links[index] = nil }
        let task: Task<[ExternalLink], any Error>
        if let running = refreshing[index] {
            task = running
        } else {
            refreshCount += 1
            let api = self.api, path = "/api/2.0/sql/statements/\(statementID)/result/chunks/\(index)", table = self.table
            task = Task {
                let data: ResultDataWire = try await api.call(.GET, path, table: table)
                return (data.external_links ?? []).map(ExternalLink.init)
            }
            refreshing[index] = task
        }
        defer { refreshing[index] = nil }
        let fresh = try await task.value
        for link in fresh { links[link.chunkIndex] = link }
        guard let link = links[index] else { throw ResultError.missingChunk(table: table, chunk: index, chunkCount: chunkCount) }
        return link
    }

    private func expiresSoon(_ link: ExternalLink) -> Bool {
        guard let expiration = link.expiration else { return false }
        return expiration.timeIntervalSinceNow < margin.seconds
    }
}
