import ArrowIPC
import DBDuckTesting
import Foundation
import NIOCore
import Testing
@testable import Databricks

/// Results from the emulator over HTTP: every format and disposition, compression, parameters,
/// empty results, the memory budget.
@Suite(.serialized) struct ResultIntegrationTests {
    @Test func arrowLZ4ChunksMatchUncompressedExactly() async throws {
        let recorder = EventRecorder()
        try await withEmulatorClient(arguments: chunkArguments, observer: recorder) { client, _ in
            let (compressed, lz4Chunks) = try await client.snapshot(.arrow(lineitemQuery), table: "samples.tpch.lineitem")
            #expect(compressed.manifest.compression == "LZ4_FRAME")
            #expect(compressed.manifest.totalRowCount == lineitemRows)
            #expect(compressed.manifest.totalChunkCount == 8)
            let (plain, plainChunks) = try await client.snapshot(.arrow(lineitemQuery, compression: .none))
            #expect(plain.manifest.compression == nil)
            #expect(lz4Chunks == plainChunks)
            #expect(lz4Chunks.map(\.index) == Array(0..<8))
            #expect(lz4Chunks.reduce(0) { $0 + $1.rowCount } == lineitemRows)
            // Row offsets are contiguous.
            var offset: Int64 = 0
            for chunk in lz4Chunks { #expect(chunk.rowOffset == offset); offset += chunk.rowCount }
            // Each chunk is a whole Arrow stream with the manifest's row count.
            for chunk in plainChunks {
                var counter = StreamRowCounter()
                try counter.feed(ByteBuffer(bytes: chunk.bytes))
                #expect(counter.isFinished)
                #expect(try counter.finish() == chunk.rowCount)
            }
        }
        #expect(recorder.details(.decompress).count == 8)
        #expect(recorder.details(.download).count >= 16)
        #expect(!recorder.details(.warehouseWait).isEmpty)
        #expect(!recorder.details(.request).isEmpty)
    }

    @Test func compressionIsDecidedByTheManifest() async throws {
        // The server ignores LZ4_FRAME: the bytes are raw Arrow, and must not be "decompressed".
        try await withEmulatorClient(faults: "no_lz4", arguments: chunkArguments) { client, emulator in
            let (result, raw) = try await client.snapshot(.arrow(lineitemQuery))
            #expect(result.manifest.compression == nil)
            try await emulator.clearFaults()
            let (_, reference) = try await client.snapshot(.arrow(lineitemQuery, compression: .none))
            #expect(raw == reference)
        }
    }

    @Test func jsonAndCSVExternalLinksAgreeWithInlinePages() async throws {
        let query = "SELECT o_orderkey, o_custkey, o_orderstatus, o_totalprice, o_orderdate, o_comment FROM samples.tpch.orders ORDER BY o_orderkey"
        try await withEmulatorClient(arguments: ["--chunk-rows", "4000"]) { client, _ in
            let (inline, inlineChunks) = try await client.snapshot(StatementRequest(query))
            #expect(inline.manifest.totalChunkCount == 4)
            #expect(inlineChunks.map(\.index) == [0, 1, 2, 3])
            let inlineRows = inlineChunks.flatMap(\.rows)
            #expect(inlineRows.count == 15_000)
            #expect(inlineRows.first?.first == "1")

            let (_, jsonChunks) = try await client.snapshot(StatementRequest(query, disposition: .externalLinks,
                                                                             format: .jsonArray))
            #expect(jsonChunks.flatMap(\.rows) == inlineRows)

            let (_, csvChunks) = try await client.snapshot(StatementRequest(query, disposition: .externalLinks, format: .csv))
            #expect(csvChunks.reduce(0) { $0 + $1.rowCount } == 15_000)
            let firstLine = String(decoding: csvChunks[0].bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
            #expect(firstLine.hasPrefix("o_orderkey,o_custkey"))
        }
    }

    @Test func emptyResultsAreEmptySequences() async throws {
        try await withEmulatorClient { client, _ in
            for request in [StatementRequest("SELECT * FROM samples.tpch.orders WHERE 1 = 0"),
                            .arrow("SELECT * FROM samples.tpch.orders WHERE 1 = 0"),
                            StatementRequest("SELECT * FROM samples.tpch.orders WHERE 1 = 0", disposition: .externalLinks,
                                             format: .csv)] {
                let (result, chunks) = try await client.snapshot(request)
                #expect(chunks.isEmpty)
                #expect(result.manifest.totalRowCount == 0)
                #expect(result.manifest.columns.count == 9)
            }
        }
    }

    @Test func parametersAreBoundNotSpliced() async throws {
        try await withEmulatorClient { client, _ in
            let hostile = "x'; DROP TABLE samples.tpch.orders; --"
            let request = StatementRequest(
                "SELECT :text AS t, :n + 1 AS n, :missing AS m, :d AS d",
                parameters: [StatementParameter(name: "text", value: hostile),
                             StatementParameter(name: "n", value: "41", type: "INT"),
                             StatementParameter(name: "missing", value: nil, type: "STRING"),
                             StatementParameter(name: "d", value: "2024-02-29", type: "DATE")])
            let (result, chunks) = try await client.snapshot(request)
            #expect(chunks.flatMap(\.rows) == [[hostile, "42", nil, "2024-02-29"]])
            #expect(result.manifest.columns.map(\.name) == ["t", "n", "m", "d"])
            #expect(try await client.rowCount("samples.tpch.orders", version: nil) == 15_000)
        }
    }

    @Test func memoryBudgetBoundsBytesHeld() async throws {
        try await withEmulatorClient(arguments: ["--chunk-rows", "4000"],
                                     options: TestOptions.fast(parallelism: 4, budget: 2 << 20)) { client, _ in
            let result = try await client.execute(.arrow(lineitemQuery))
            let largest = result.manifest.chunks.compactMap(\.byteCount).max() ?? 0
            #expect(result.manifest.totalChunkCount == 16)
            #expect(largest > 0 && largest * 3 < 2 << 20)   // the budget fits a few chunks, not all
            let iterator = client.chunks(of: result).makeAsyncIterator()
            var rows: Int64 = 0
            while let chunk = try await iterator.next() {
                rows += chunk.rowCount
                for _ in 0..<50 { await Task.yield() }   // a slow consumer: the pipeline runs ahead
            }
            let statistics = await iterator.statistics()
            #expect(rows == lineitemRows)
            #expect(statistics.peakHeldBytes <= 2 << 20)
            #expect(statistics.peakHeldBytes > largest)   // it did prefetch
            #expect(statistics.oversizeChunks == 0)
        }
    }

    @Test func failedStatementCarriesServerError() async throws {
        try await withEmulatorClient { client, _ in
            let error = await #expect(throws: StatementError.self) {
                _ = try await client.execute(StatementRequest("SELEC 1"))
            }
            #expect(error?.state == "FAILED")
            #expect(error?.sqlState == "42601")
            #expect(error?.description.contains("PARSE_SYNTAX_ERROR") == true)
            let missing = await #expect(throws: StatementError.self) {
                _ = try await client.execute(StatementRequest("SELECT * FROM main.demo.nope"))
            }
            #expect(missing?.description.contains("TABLE_OR_VIEW_NOT_FOUND") == true)
        }
    }

    @Test func missingWarehouseIsAConfigurationError() async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            var workspace = emulator.workspace()
            workspace.warehouseID = nil
            let client = try DatabricksClient(workspace: workspace)
            defer { Task { try? await client.shutdown() } }
            await #expect(throws: WorkspaceConfigurationError.missingWarehouse(host: emulator.host)) {
                _ = try await client.execute(StatementRequest("SELECT 1"))
            }
        }
    }

    @Test func hybridDispositionInlinesSmallArrowResults() async throws {
        try await withEmulatorClient(arguments: chunkArguments) { client, _ in
            let small = "SELECT * FROM samples.tpch.orders ORDER BY o_orderkey LIMIT 100"
            let (result, hybrid) = try await client.snapshot(
                StatementRequest(small, disposition: .inlineOrExternalLinks, format: .arrowStream, compression: .lz4Frame))
            #expect(result.disposition == .inline)
            #expect(result.initial?.attachment != nil)
            let (_, linked) = try await client.snapshot(.arrow(small, compression: .none))
            #expect(hybrid == linked)
            // A large result still comes as links.
            let (large, chunks) = try await client.snapshot(
                StatementRequest(lineitemQuery, disposition: .inlineOrExternalLinks, format: .arrowStream, compression: .lz4Frame))
            #expect(large.disposition == .externalLinks)
            #expect(chunks.reduce(0) { $0 + $1.rowCount } == lineitemRows)
        }
    }
}
