import Timing
import DBDuckTesting
import Foundation
import Logging
import NIOCore
import Synchronization
import Testing
@testable import Databricks

/// Collects observer events.
final class EventRecorder: TransferObserver {
    let events = Mutex<[TransferEvent]>([])
    func record(_ event: TransferEvent) { events.withLock { $0.append(event) } }
    func details(_ phase: TransferPhase) -> [String] { events.withLock { $0.filter { $0.phase == phase }.compactMap(\.detail) } }
}

/// A chunk reduced to comparable values.
struct ChunkSnapshot: Equatable, CustomStringConvertible {
    var index: Int
    var rowOffset: Int64
    var rowCount: Int64
    var kind: String
    var bytes: [UInt8]
    var rows: [[String?]]

    init(_ chunk: ResultChunk) {
        index = chunk.index; rowOffset = chunk.rowOffset; rowCount = chunk.rowCount
        switch chunk.payload {
        case .arrow: kind = "arrow"; bytes = Array(chunk.arrowStreamBytes?.readableBytesView ?? ByteBuffer().readableBytesView); rows = []
        case .csv(let buffer): kind = "csv"; bytes = Array(buffer.readableBytesView); rows = []
        case .json(let values): kind = "json"; bytes = []; rows = values
        }
    }

    var description: String { "chunk \(index) @\(rowOffset) ×\(rowCount) \(kind) \(bytes.count)B \(rows.count) rows" }
}

enum TestOptions {
    /// Quick retries so fault tests stay fast; Retry-After still honoured up to 1.5 s.
    static func fast(parallelism: Int = 4, budget: Int = 64 << 20, attempts: Int = 6) -> ClientOptions {
        ClientOptions(downloadParallelism: parallelism, memoryBudgetBytes: budget,
                      retry: RetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50),
                                         maxRetryAfter: .milliseconds(1500)),
                      connectTimeout: .seconds(5), readTimeout: .seconds(20), pollInterval: .milliseconds(20),
                      maxPollInterval: .milliseconds(200))
    }
}

/// Starts an emulator over the shared seeded data and a client for it.
func withEmulatorClient<T>(tls: Bool = false, faults: String? = nil, arguments: [String] = [],
                           options: ClientOptions = TestOptions.fast(), oauth: Bool = false,
                           observer: (any TransferObserver)? = nil, logger: Logger = Logger(label: "test"),
                           _ body: (DatabricksClient, EmulatorProcess) async throws -> T) async throws -> T {
    try await EmulatorProcess.withRunning(seedScale: 0.01, tls: tls, faults: faults, extraArguments: arguments) { emulator in
        let workspace = oauth ? emulator.oauthWorkspace() : emulator.workspace()
        let client = try DatabricksClient(workspace: workspace, options: options, observer: observer, logger: logger)
        do {
            let value = try await body(client, emulator)
            try await client.shutdown()
            return value
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

extension DatabricksClient {
    /// Runs a statement and snapshots all its chunks.
    func snapshot(_ request: StatementRequest, table: String? = nil) async throws -> (StatementResult, [ChunkSnapshot]) {
        let result = try await execute(request)
        var chunks: [ChunkSnapshot] = []
        for try await chunk in self.chunks(of: result, table: table) { chunks.append(ChunkSnapshot(chunk)) }
        try await close(statementID: result.statementID)
        return (result, chunks)
    }
}

extension StatementRequest {
    static func arrow(_ sql: String, compression: ResultCompression = .lz4Frame) -> StatementRequest {
        StatementRequest(sql, disposition: .externalLinks, format: .arrowStream, compression: compression,
                         waitTimeoutSeconds: 30)
    }
}

/// lineitem at scale 0.01 has 60 012 rows; with `--chunk-rows 8000` that is 8 chunks.
let lineitemQuery = "SELECT * FROM samples.tpch.lineitem ORDER BY l_orderkey, l_linenumber"
let lineitemRows: Int64 = 60_012
let chunkArguments = ["--chunk-rows", "8000"]
