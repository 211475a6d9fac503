import Commands
import Foundation
@testable import Replication
import Testing

/// What the commands layer decides before anything runs: which tables, which settings, and the one
/// JSON document `--json` prints.
@Suite struct CommandTruthTests {
    static let environment = ["DATABRICKS_HOST": "https://example.cloud.databricks.com", "DATABRICKS_TOKEN": "x",
                              "DATABRICKS_WAREHOUSE_ID": "w", "HOME": NSTemporaryDirectory()]

    static func config(_ yaml: String) throws -> String {
        let dir = NSTemporaryDirectory() + "dbduck-truth-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try yaml.write(toFile: dir + "/dbduck.yml", atomically: true, encoding: .utf8)
        return dir + "/dbduck.yml"
    }

    @Test func tablesOnTheCommandLinePickAmongTheConfigsAndKeepTheirSettings() throws {
        var input = CommandLineInput()
        input.configPath = try Self.config("""
            tables:
              - { name: samples.tpch.orders, target: o, columns: [o_orderkey] }
              - samples.tpch.lineitem
            """)
        input.tables = ["samples.tpch.orders"]
        input.targetPath = (input.configPath! as NSString).deletingLastPathComponent + "/t.duckdb"
        let setup = try RunSetup.resolve(input, environment: Self.environment)
        #expect(setup.config.tables.count == 2, "the config's tables stay, with their settings")
        #expect(setup.config.tables[0].target == "o")
        #expect(setup.config.only == TableFilter([TableName(catalog: "samples", schema: "tpch", table: "orders")]))

        // Without --config the names are the tables; bench lends a config its settings only.
        input.tablesReplaceConfig = true
        let replaced = try RunSetup.resolve(input, environment: Self.environment)
        #expect(replaced.config.tables.map(\.name) == ["samples.tpch.orders"])
        #expect(replaced.config.tables[0].target == nil)
        #expect(replaced.config.only.isEmpty)
    }

    @Test func replaceUnmanagedReachesThePlansSettings() throws {
        var input = CommandLineInput()
        input.tables = ["a.b.c"]
        input.targetPath = NSTemporaryDirectory() + "dbduck-truth-\(UUID().uuidString.prefix(8)).duckdb"
        #expect(try !ReplicationSettings(RunSetup.resolve(input, environment: Self.environment).config).target.replacesUnmanaged)
        input.replaceUnmanaged = true
        #expect(try ReplicationSettings(RunSetup.resolve(input, environment: Self.environment).config).target.replacesUnmanaged)
    }

    @Test func aSummaryDocumentHasAnErrorObjectPerFailedTable() throws {
        func outcome(_ source: String, _ status: String, _ error: String?) -> ReplicationSummary.TableOutcome {
            ReplicationSummary.TableOutcome(source: source, target: "t.\(source)", strategy: .streaming, status: status,
                                            rows: 1, bytes: 1, seconds: 1, sourceVersion: 1, error: error)
        }
        let summary = ReplicationSummary(runID: "r", targetPath: "t.duckdb", startedAt: Date(), seconds: 1,
                                         tables: [outcome("ok", "succeeded", nil), outcome("bad", "failed", "boom"),
                                                  outcome("cut", "failed", "interrupted")])
        let text = try JSONDocument.summary(summary, exitStatus: 130)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["exitStatus"] as? Int == 130)
        #expect((json["tables"] as? [[String: Any]])?.count == 3, "the summary's own keys are kept")
        #expect(json["runID"] as? String == "r")
        let errors = try #require(json["errors"] as? [[String: String]])
        #expect(errors == [["kind": "table", "message": "boom", "source": "bad", "target": "t.bad"],
                           ["kind": "interrupted", "message": "interrupted", "source": "cut", "target": "t.cut"]])
    }

    @Test func aRunLevelFailureIsOneDocumentToo() throws {
        for (status, kind) in [(Int32(1), "run"), (64, "usage"), (130, "interrupted")] {
            let text = JSONDocument.failure(CommandFailure(message: "it/failed \"here\"", exitStatus: status))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(json["exitStatus"] as? Int == Int(status))
            #expect((json["tables"] as? [Any])?.isEmpty == true)
            #expect(json["errors"] as? [[String: String]] == [["kind": kind, "message": "it/failed \"here\""]])
        }
    }
}
