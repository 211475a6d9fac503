import Commands
import DBDuckTesting
import Foundation
import Testing
@testable import Replication

@Suite(.serialized) struct ChecksumTests {
    static let table = PlannedTable(source: "main.demo.t", targetSchema: "demo", targetTable: "t", columns: [
        PlannedColumn(name: "id", sourceType: "BIGINT", targetType: "BIGINT", nullable: false),
        PlannedColumn(name: "x", sourceType: "DOUBLE", targetType: "DOUBLE", nullable: true),
        PlannedColumn(name: "s", sourceType: "STRING", targetType: "VARCHAR", nullable: true),
    ], strategy: .streaming, strategyReason: "", chunkSize: 1, version: 3, rowCount: 10)

    @Test func namesTheFirstColumnThatDiffers() {
        let warehouse: [String?] = ["10", "123", "9", nil, "8", "77"]
        #expect(ColumnChecksum.firstDifference(Self.table, warehouse: warehouse, duckdb: warehouse) == nil)
        #expect(ColumnChecksum.firstDifference(Self.table, warehouse: warehouse, duckdb: ["10", "123", "9", nil, "8", "78"])
                == "column s: checksums differ (warehouse 77, DuckDB 78)")
        #expect(ColumnChecksum.firstDifference(Self.table, warehouse: warehouse, duckdb: ["10", "123", "8", nil, "8", "78"])
                == "column x: the warehouse has 9 non-null values, DuckDB 8")
        #expect(ColumnChecksum.countOnlyColumns(Self.table) == ["x"])
        #expect(ColumnChecksum.databricksSQL(Self.table).hasSuffix("FROM `main`.`demo`.`t` VERSION AS OF 3"))
    }

    @Test(arguments: [LoadStrategy.streaming, .batch, .basic])
    func checksumsAgreeOnRealTables(_ strategy: LoadStrategy) async throws {
        try await EmulatorProcess.withRunning(seedScale: 0.01) { emulator in
            var input = CommandLineInput()
            input.tables = ["main.demo.all_types", "samples.tpch.orders"]
            input.targetPath = ReplicationEndToEndTests.scratchFile()
            input.strategy = strategy.rawValue
            input.verify = "checksum"
            input.source = SourceSettings(host: emulator.host, token: emulator.token, warehouseID: emulator.warehouseID)
            let summary = try await Session.replicate(input, logger: ReplicationEndToEndTests.logger)
            #expect(summary.succeeded, "\(summary.text)")
        }
    }
}
