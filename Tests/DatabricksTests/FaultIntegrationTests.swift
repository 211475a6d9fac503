import Timing
import DBDuckTesting
import Foundation
import InMemoryLogging
import Logging
import Testing
@testable import Databricks

/// Every fault mode of the emulator: the client returns exactly the fault-free chunks, or fails
/// with a clear error; never wrong, duplicated or missing rows.
@Suite(.serialized) struct FaultIntegrationTests {
    /// Runs the lineitem query fault-free, then with `faults` installed, and compares.
    func expectExactUnder(_ faults: String, compression: ResultCompression = .lz4Frame, arguments: [String] = chunkArguments,
                          options: ClientOptions = TestOptions.fast(), minimumRetries: Int = 1,
                          expectRetryCause: String? = nil) async throws {
        let recorder = EventRecorder()
        try await withEmulatorClient(arguments: arguments, options: options, observer: recorder) { client, emulator in
            let (_, reference) = try await client.snapshot(.arrow(lineitemQuery, compression: compression))
            #expect(reference.reduce(0) { $0 + $1.rowCount } == lineitemRows)
            try await emulator.setFaults(faults)
            let before = recorder.details(.retry).count
            let (_, faulted) = try await client.snapshot(.arrow(lineitemQuery, compression: compression),
                                                         table: "samples.tpch.lineitem")
            #expect(faulted == reference, "under \(faults)")
            let retries = Array(recorder.details(.retry).dropFirst(before))
            #expect(retries.count >= minimumRetries, "under \(faults): \(retries)")
            if let expectRetryCause {
                #expect(retries.contains { $0.contains(expectRetryCause) }, "\(retries)")
            }
            let report = try await emulator.faultReport()
            #expect(!report.contains("\"fired\": 0") && !report.contains("\"fired\":0"), "faults never fired: \(report)")
        }
    }

    @Test func storageConnectionResets() async throws {
        try await expectExactUnder("seed=7;reset,target=storage,rate=0.5,count=6", expectRetryCause: "from storage")
    }

    @Test func truncatedDownloads() async throws {
        try await expectExactUnder("truncate,target=storage,count=3")
    }

    @Test func truncatedUncompressedDownloads() async throws {
        try await expectExactUnder("truncate,target=storage,count=2,at=0.9", compression: .none)
    }

    @Test func storage5xxAnd429() async throws {
        try await expectExactUnder("503,target=storage,count=2,retry_after=0;500,target=storage,count=2;429,target=storage,count=1,retry_after=0",
                                   minimumRetries: 5, expectRetryCause: "HTTP 503 from storage")
    }

    @Test func expiredLinksAreRefreshed() async throws {
        try await expectExactUnder("expire_early,count=3", expectRetryCause: "refreshing the link")
    }

    @Test func linksThatExpireSoonAreRefreshedBeforeUse() async throws {
        // Links live 30 s: inside the 60 s margin, so every link is re-fetched through the chunk endpoint.
        let recorder = EventRecorder()
        try await withEmulatorClient(arguments: chunkArguments + ["--link-ttl", "30"], observer: recorder) { client, _ in
            let (_, chunks) = try await client.snapshot(.arrow(lineitemQuery))
            #expect(chunks.reduce(0) { $0 + $1.rowCount } == lineitemRows)
        }
        let chunkCalls = recorder.details(.request).filter { $0.contains("/result/chunks/") }
        #expect(chunkCalls.count >= 8)
    }

    @Test func linkHeadersAreSent() async throws {
        try await expectExactUnder("link_headers", minimumRetries: 0)
    }

    @Test func slowStorage() async throws {
        try await expectExactUnder("slow,bps=2000000,count=2", minimumRetries: 0)
    }

    @Test func apiThrottlingIsRetriedWithRetryAfter() async throws {
        let recorder = EventRecorder()
        try await withEmulatorClient(faults: "429,target=execute,count=2,retry_after=1;503,target=chunk,count=2,retry_after=0;500,target=status,count=1",
                                     arguments: chunkArguments + ["--first-links", "1"], observer: recorder) { client, _ in
            let (_, chunks) = try await client.snapshot(
                StatementRequest(lineitemQuery, disposition: .externalLinks, format: .arrowStream, compression: .lz4Frame,
                                 waitTimeoutSeconds: 0))
            #expect(chunks.reduce(0) { $0 + $1.rowCount } == lineitemRows)
        }
        let retries = recorder.events.withLock { $0.filter { $0.phase == .retry } }
        let executeRetries = retries.filter { $0.detail?.contains("POST /api/2.0/sql/statements") == true }
        #expect(executeRetries.count == 2)
        // Retry-After: 1 was honoured (a pause of at least one second, not the 50 ms backoff cap).
        #expect(executeRetries.allSatisfy { $0.duration >= .seconds(1) })
        #expect(retries.contains { $0.detail?.contains("HTTP 503") == true && $0.detail?.contains("/result/chunks/") == true })
        #expect(retries.contains { $0.detail?.contains("HTTP 500") == true })
    }

    @Test func http500OnExecuteIsNotRetried() async throws {
        let recorder = EventRecorder()
        try await withEmulatorClient(faults: "500,target=execute,count=1", observer: recorder) { client, _ in
            let error = await #expect(throws: DatabricksAPIError.self) {
                _ = try await client.execute(StatementRequest("SELECT 1"))
            }
            #expect(error?.status == 500)
            #expect(error?.attempts == 1)
            #expect(error?.description.hasPrefix("Databricks API POST /api/2.0/sql/statements on \(client.workspace.host) failed with HTTP 500") == true)
            // The next statement goes through.
            let (_, chunks) = try await client.snapshot(StatementRequest("SELECT 1 AS one"))
            #expect(chunks.flatMap(\.rows) == [["1"]])
        }
        #expect(recorder.details(.retry).isEmpty)
    }

    @Test func persistentStorageFailureIsAClearError() async throws {
        try await withEmulatorClient(faults: "503,target=storage,retry_after=0", arguments: chunkArguments,
                                     options: TestOptions.fast(attempts: 3)) { client, _ in
            let result = try await client.execute(.arrow(lineitemQuery))
            var yielded = 0
            let error = await #expect(throws: ResultError.self) {
                for try await _ in client.chunks(of: result, table: "samples.tpch.lineitem") { yielded += 1 }
            }
            #expect(yielded == 0)
            let text = error?.description ?? ""
            #expect(text.hasPrefix("samples.tpch.lineitem: chunk "))
            #expect(text.contains("failed after 3 attempts (HTTP 503 from storage). Rerun to retry."))
        }
    }

    @Test func failStatementFault() async throws {
        try await withEmulatorClient(faults: "fail_statement,match=lineitem,error_code=INTERNAL_ERROR,message=[DELTA_FILE_NOT_FOUND] boom,sql_state=42K03") { client, _ in
            let error = await #expect(throws: StatementError.self) {
                _ = try await client.execute(.arrow(lineitemQuery))
            }
            #expect(error?.errorCode == "INTERNAL_ERROR")
            #expect(error?.sqlState == "42K03")
            #expect(error?.description.contains("[DELTA_FILE_NOT_FOUND] boom") == true)
            _ = try await client.execute(StatementRequest("SELECT count(*) FROM samples.tpch.orders"))
        }
    }

    @Test func warehouseStartupIsWaitedFor() async throws {
        let recorder = EventRecorder()
        try await withEmulatorClient(faults: "pending,seconds=1", observer: recorder) { client, _ in
            let (_, chunks) = try await client.snapshot(StatementRequest("SELECT 7 AS seven", waitTimeoutSeconds: 0))
            #expect(chunks.flatMap(\.rows) == [["7"]])
        }
        let waits = recorder.events.withLock { $0.filter { $0.phase == .warehouseWait } }
        #expect(waits.count == 1)
        #expect(recorder.details(.request).filter { $0.hasPrefix("GET /api/2.0/sql/statements/") }.count >= 2)
    }

    @Test func cancellingTheTaskCancelsTheStatement() async throws {
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "test") { _ in logs }
        logger.logLevel = .debug
        try await withEmulatorClient(arguments: ["--exec-delay", "20"], logger: logger) { client, _ in
            let task = Task { try await client.execute(StatementRequest("SELECT 1", waitTimeoutSeconds: 0)) }
            var statementID: String?
            for _ in 0..<500 where statementID == nil {
                try await Task.sleep(for: .milliseconds(10))
                statementID = logs.entries.first { $0.message.description == "statement submitted" }?
                    .metadata["statement.id"]?.description
            }
            let id = try #require(statementID)
            task.cancel()
            let outcome = await task.result
            #expect(throws: CancellationError.self) { try outcome.get() }
            // The server learns about it: the statement ends CANCELED (the cancel call is asynchronous).
            var state = ""
            for _ in 0..<200 {
                state = try await client.statementState(statementID: id)
                if state == "CANCELED" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(state == "CANCELED")
        }
    }

    @Test func nestedTypesAsJSONStringsStillYieldEveryRow() async throws {
        try await withEmulatorClient { client, emulator in
            let query = "SELECT * FROM main.demo.all_types"
            let (_, native) = try await client.snapshot(.arrow(query))
            try await emulator.setFaults("nested_json")
            let (_, strings) = try await client.snapshot(.arrow(query))
            #expect(native.map(\.rowCount) == strings.map(\.rowCount))
            #expect(native.reduce(0) { $0 + $1.rowCount } == 7)
            #expect(native != strings)   // the Arrow schema really changed (utf8 instead of nested)
        }
    }

    @Test func tokenMetadataAndStatementEndpointsAreRetried() async throws {
        let recorder = EventRecorder()
        try await withEmulatorClient(faults: "503,target=token,count=1,retry_after=0;503,target=uc,count=2,retry_after=0;500,target=statement,count=1",
                                     oauth: true, observer: recorder) { client, _ in
            #expect(try await client.listSchemas(catalog: "samples").contains("tpch"))
            let (_, chunks) = try await client.snapshot(StatementRequest("SELECT 3 AS three"))   // close: 500, retried
            #expect(chunks.flatMap(\.rows) == [["3"]])
        }
        let retries = recorder.details(.retry)
        #expect(retries.contains { $0.contains("/oidc/") && $0.contains("HTTP 503") }, "\(retries)")   // the emulator's token target covers discovery too
        #expect(retries.filter { $0.contains("unity-catalog") }.count == 2)
        #expect(retries.contains { $0.contains("DELETE /api/2.0/sql/statements/") && $0.contains("HTTP 500") })
    }

    @Test func apiConnectionResetsAreRetried() async throws {
        // Resets and truncation on the chunk endpoint (an idempotent API call): retried, exact rows.
        try await expectExactUnder("reset,target=chunk,count=2;truncate,target=chunk,count=1",
                                   minimumRetries: 2)
    }
}
