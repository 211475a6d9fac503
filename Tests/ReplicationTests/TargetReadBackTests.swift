import DuckDB
import Foundation
import Testing
@testable import Replication

/// The summary reports what the target file holds, not what the loader counted.
struct TargetReadBackTests {
    static func outcome(_ target: String, rows: Int64, status: String = "succeeded") -> ReplicationSummary.TableOutcome {
        ReplicationSummary.TableOutcome(source: "c.\(target)", target: target, strategy: .streaming, status: status,
                                        rows: rows, bytes: 0, seconds: 1, sourceVersion: 3, error: status == "failed" ? "boom" : nil)
    }

    @Test func rowCountsComeFromTheFileAndADisagreementFails() throws {
        let path = NSTemporaryDirectory() + "dbduck-readback-\(UUID().uuidString).duckdb"
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let connection = try Database(path: path).connect()
            try connection.execute("CREATE SCHEMA s")
            try connection.execute("CREATE TABLE s.right AS SELECT * FROM range(3)")
            try connection.execute("CREATE TABLE s.short AS SELECT * FROM range(2)")
        }
        let summary = ReplicationSummary(runID: "r", targetPath: path, startedAt: Date(), seconds: 1, tables: [
            Self.outcome("s.right", rows: 99),      // the loader's count is wrong; the file's is right
            Self.outcome("s.short", rows: 3),       // the file holds fewer rows than the warehouse has
            Self.outcome("s.missing", rows: 3),     // the file does not hold the table at all
            Self.outcome("s.failed", rows: 0, status: "failed"),
        ])
        let expectations = ["right", "short", "missing", "failed"].map {
            TargetReadBack.Expectation(schema: "s", table: $0, warehouseRows: 3, version: 3)
        }
        let checked = TargetReadBack.verify(summary, expectations: expectations, settings: TargetSettings())
        #expect(checked.tables[0].status == "succeeded")
        #expect(checked.tables[0].rows == 3)
        #expect(checked.tables[1].status == "failed")
        #expect(checked.tables[1].rows == 2)
        #expect(checked.tables[1].error == "the target holds 2 rows where the warehouse has 3 at version 3")
        #expect(checked.tables[1].previousCopyKept == false)
        #expect(checked.tables[2].status == "failed")
        #expect(checked.tables[2].error?.contains("reading it back") == true)
        #expect(checked.tables[3].error == "boom")
        #expect(!checked.succeeded)
        #expect(!checked.text.contains("s.short: the target holds 2 rows where the warehouse has 3 at version 3 (its previous copy is unchanged)"))
    }
}
