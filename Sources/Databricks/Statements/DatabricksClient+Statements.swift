import Foundation
import Logging
import NIOHTTP1
import Timing

extension DatabricksClient {
    /// Runs a statement and waits (blocking call, then polling with backoff) until it is SUCCEEDED.
    ///
    /// Cancelling the calling task (Ctrl-C in the CLI) cancels the statement on the server too.
    /// - Throws: ``StatementError`` for FAILED/CANCELED/CLOSED (server code, message, SQL state);
    ///   ``DatabricksAPIError`` when the request is refused; ``TransportError``;
    ///   ``WorkspaceConfigurationError/missingWarehouse(host:)``; `CancellationError`.
    public func execute(_ request: StatementRequest) async throws -> StatementResult {
        // The hybrid disposition is not in the public API reference (drivers send it): a warehouse
        // that refuses it gets plain links, now and for the rest of the run.
        guard request.disposition == .inlineOrExternalLinks else { return try await submit(request) }
        var linked = request
        linked.disposition = .externalLinks
        if hybridRefused.withLock({ $0 }) { return try await submit(linked) }
        do {
            return try await submit(request)
        } catch let error as DatabricksAPIError where error.status == 400 && error.message.localizedCaseInsensitiveContains("disposition") {
            hybridRefused.withLock { $0 = true }
            logger.debug("the warehouse refused INLINE_OR_EXTERNAL_LINKS; using EXTERNAL_LINKS")
            return try await submit(linked)
        }
    }

    private func submit(_ request: StatementRequest) async throws -> StatementResult {
        guard let warehouseID = request.warehouseID ?? workspace.warehouseID else {
            throw WorkspaceConfigurationError.missingWarehouse(host: workspace.host)
        }
        let wait = request.waitTimeoutSeconds <= 0 ? 0 : min(max(request.waitTimeoutSeconds, 5), 50)
        let body = ExecuteStatementBody(
            statement: request.statement, warehouse_id: warehouseID, catalog: request.catalog, schema: request.schema,
            parameters: request.parameters.isEmpty ? nil : request.parameters,
            disposition: request.disposition.rawValue, format: request.format.rawValue, wait_timeout: "\(wait)s",
            on_wait_timeout: "CONTINUE", row_limit: request.rowLimit, byte_limit: request.byteLimit,
            result_compression: request.compression == .none ? nil : request.compression.rawValue)
        let start = ContinuousClock.now
        var response: StatementResponseWire = try await api.call(.POST, "/api/2.0/sql/statements", body: body,
                                                                 kind: .execute, timeout: .seconds(Int64(wait) + 60))
        guard let statementID = response.statement_id, !statementID.isEmpty else {
            throw DatabricksAPIError(status: 200, errorCode: nil, message: "the execute response has no statement_id",
                                     operation: "POST /api/2.0/sql/statements", host: workspace.host,
                                     credentialHint: nil, attempts: 1)
        }
        logger.debug("statement submitted", metadata: ["statement.id": "\(statementID)",
                                                       "statement.state": "\(response.status?.state ?? "?")"])
        let interval = options.pollInterval, maxInterval = options.maxPollInterval
        response = try await withTaskCancellationHandler {
            var delay = interval
            var current = response
            var state = current.status?.state, since = ContinuousClock.now
            while !Self.isTerminal(state) {
                request.onWait?(state ?? "PENDING", start.duration(to: .now))
                // A statement the warehouse never starts (stopped, starting, or at its concurrency
                // limit) would otherwise be waited on forever; a RUNNING one is the warehouse at work.
                if state == "PENDING", since.duration(to: .now) >= options.stallTimeout {
                    try? await cancel(statementID: statementID)
                    throw StatementStalledError(statementID: statementID, waited: since.duration(to: .now))
                }
                try await Task.sleep(for: delay)
                delay = min(delay * 1.5, maxInterval)
                current = try await api.call(.GET, "/api/2.0/sql/statements/\(statementID)")
                if current.status?.state != state { (state, since) = (current.status?.state, .now) }
            }
            return current
        } onCancel: {
            // The task is cancelled: tell the warehouse, from a task of its own.
            Task { try? await self.cancel(statementID: statementID) }
        }
        let state = response.status?.state ?? "UNKNOWN"
        observer?.record(TransferEvent(phase: .warehouseWait, start: start, duration: start.duration(to: .now),
                                       detail: "statement \(state)"))
        guard state == "SUCCEEDED" else {
            throw StatementError(statementID: statementID, state: state, errorCode: response.status?.error?.error_code,
                                 message: response.status?.error?.message ?? "", sqlState: response.status?.sql_state)
        }
        let manifest = try (response.manifest ?? ManifestWire()).manifest(requestedFormat: request.format)
        var result = StatementResult(statementID: statementID, manifest: manifest, disposition: request.disposition)
        result.initial = response.result
        if response.result?.external_links != nil { result.disposition = .externalLinks }
        else if response.result?.data_array != nil || response.result?.attachment != nil { result.disposition = .inline }
        else if result.disposition == .inlineOrExternalLinks { result.disposition = .externalLinks }
        return result
    }

    static func isTerminal(_ state: String?) -> Bool {
        switch state {
        case "SUCCEEDED", "FAILED", "CANCELED", "CLOSED": return true
        case nil: return true
        default: return false
        }
    }

    /// The statement's current state: PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED or CLOSED.
    public func statementState(statementID: String) async throws -> String {
        let response: StatementResponseWire = try await api.call(.GET, "/api/2.0/sql/statements/\(statementID)")
        return response.status?.state ?? "UNKNOWN"
    }

    /// Asks the server to cancel a statement (it only acknowledges; the state becomes CANCELED).
    public func cancel(statementID: String) async throws {
        _ = try await api.send(.POST, "/api/2.0/sql/statements/\(statementID)/cancel", body: EmptyBody())
    }

    /// Frees a statement's results on the server (`DELETE /api/2.0/sql/statements/{id}`).
    public func close(statementID: String) async throws {
        _ = try await api.send(.DELETE, "/api/2.0/sql/statements/\(statementID)")
    }

    /// The result's chunks in row order, downloaded with bounded parallelism and memory.
    /// `table` labels observer events and error messages. `first` skips the chunks before it (a
    /// copy that continues where an earlier run stopped); their links are never asked for.
    public func chunks(of result: StatementResult, table: String? = nil, from first: Int = 0) -> ResultChunks {
        let manifest = result.manifest
        let initialLinks = (result.initial?.external_links ?? []).map(ExternalLink.init)
        let compressed = manifest.compression?.uppercased() == "LZ4_FRAME"
        let fallbackEstimate = max(1, min(options.memoryBudgetBytes / max(1, options.downloadParallelism), 8 << 20))
        var slots: [ChunkSlot] = []
        let known = Dictionary(manifest.chunks.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        let linkHints = Dictionary(initialLinks.map { ($0.chunkIndex, $0) }, uniquingKeysWith: { first, _ in first })
        let count = max(manifest.totalChunkCount, (manifest.chunks.map(\.index).max() ?? -1) + 1)
        let skipped = min(max(first, 0), count)
        for index in skipped..<count {
            let info = known[index]
            var estimate: Int
            if let bytes = info?.byteCount, bytes > 0 {
                estimate = Int(clamping: bytes)
                if compressed { estimate += Int(clamping: linkHints[index]?.byteCount ?? bytes / 2) }
            } else if result.disposition == .inline, index == (result.initial?.chunk_index ?? 0),
                      let rows = result.initial?.data_array {
                estimate = ResultChunk.estimateJSONBytes(rows.map { $0.map(\.value) })
            } else {
                estimate = fallbackEstimate
            }
            slots.append(ChunkSlot(index: index, rowOffset: info?.rowOffset, rowCount: info?.rowCount,
                                   estimatedBytes: estimate, payloadBytes: info?.byteCount.map { Int(clamping: $0) }))
        }
        let links = ExternalLinkStore(api: api, statementID: result.statementID, initial: initialLinks,
                                      margin: options.linkRefreshMargin, table: table, chunkCount: count)
        let fetcher = StatementChunkFetcher(api: api, statementID: result.statementID, manifest: manifest,
                                            disposition: result.disposition, initial: result.initial, links: links,
                                            table: table)
        var expected: Int64? = manifest.chunks.isEmpty && count > 0 ? nil : manifest.totalRowCount
        if skipped > 0 {
            let rowsSkipped = (0..<skipped).map { known[$0]?.rowCount }
            expected = rowsSkipped.contains(nil) ? nil : expected.map { $0 - rowsSkipped.reduce(0) { $0 + ($1 ?? 0) } }
        }
        return ResultChunks(slots: slots, fetcher: fetcher, budget: options.memoryBudgetBytes,
                            parallelism: options.downloadParallelism, expectedRows: count == skipped ? nil : expected,
                            table: table, logger: logger, observer: observer)
    }

    /// Runs a small INLINE JSON query and returns all its rows (metadata helpers).
    func queryRows(_ sql: String, parameters: [StatementParameter] = [], table: String? = nil) async throws
        -> (columns: [ManifestColumn], rows: [[String?]])
    {
        let result = try await execute(StatementRequest(sql, parameters: parameters, disposition: .inline,
                                                        format: .jsonArray, waitTimeoutSeconds: 30))
        var rows: [[String?]] = []
        for try await chunk in chunks(of: result, table: table) {
            if case .json(let page) = chunk.payload { rows.append(contentsOf: page) }
        }
        if let statementID = result.statementToFree { try? await close(statementID: statementID) }
        return (result.manifest.columns, rows)
    }
}

struct EmptyBody: Encodable, Sendable {}
