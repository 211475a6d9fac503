import DBDuckTesting
import Testing
@testable import Databricks

/// Unity Catalog REST (with pagination) and the SQL metadata statements, against the emulator.
@Suite(.serialized) struct MetadataIntegrationTests {
    @Test func listsAndDescribes() async throws {
        let recorder = EventRecorder()
        var options = TestOptions.fast()
        options.unityCatalogPageSize = 1
        try await withEmulatorClient(options: options, observer: recorder) { client, _ in
            let catalogs = try await client.listCatalogs()
            #expect(Set(catalogs).isSuperset(of: ["main", "samples"]))
            #expect(try await client.listSchemas(catalog: "samples").contains("tpch"))
            #expect(Set(try await client.listTables(catalog: "samples", schema: "tpch")) == ["lineitem", "orders"])
            #expect(Set(try await client.listTables(catalog: "main", schema: "demo")).isSuperset(of: ["all_types", "events"]))

            let orders = try await client.table("samples.tpch.orders")
            #expect(orders.columns.map(\.name).prefix(3) == ["o_orderkey", "o_custkey", "o_orderstatus"])
            #expect(orders.columns.map(\.position) == Array(0..<orders.columns.count))
            let price = try #require(orders.columns.first { $0.name == "o_totalprice" })
            #expect(price.typeName == "DECIMAL")
            #expect(price.precision == 18 && price.scale == 2)
            #expect(orders.fullName == "samples.tpch.orders")

            let detail = try await client.describeDetail("samples.tpch.orders")
            #expect(detail.numFiles >= 1)
            #expect(detail.sizeInBytes > 0)
            #expect(detail.format?.lowercased() == "delta")

            #expect(try await client.currentVersion("main.demo.events") == 5)
            let now = try await client.rowCount("main.demo.events", version: nil)
            let first = try await client.rowCount("main.demo.events", version: 0)
            #expect(now > 0 && first > 0)
        }
        // One catalog per page, and paging went on past the empty page the emulator serves.
        let pages = recorder.details(.request).filter { $0.hasPrefix("GET /api/2.1/unity-catalog/catalogs") }
        #expect(pages.count >= 3)
    }

    @Test func sqlFallbackWhenUnityCatalogIsUnavailable() async throws {
        // The 404 decision is unit-tested; here the fallback statements run for real.
        try await withEmulatorClient { client, _ in
            let catalogs = try await client.withSQLFallback {
                throw DatabricksAPIError(status: 404, errorCode: "ENDPOINT_NOT_FOUND", message: "no UC", operation: "GET x",
                                         host: "h", credentialHint: nil, attempts: 1)
            } fallback: {
                try await client.queryRows("SHOW CATALOGS").rows.compactMap { $0.first ?? nil }
            }
            #expect(Set(catalogs).isSuperset(of: ["main", "samples"]))
            let (columns, rows) = try await client.queryRows("DESCRIBE TABLE `samples`.`tpch`.`orders`")
            #expect(columns.first?.name == "col_name")
            #expect(rows.first?.first == "o_orderkey")
            let tables = try await client.queryRows("SHOW TABLES IN `samples`.`tpch`")
            #expect(tables.columns.contains { $0.name == "tableName" })
        }
    }

    @Test func missingTableIsAnError() async throws {
        try await withEmulatorClient { client, _ in
            await #expect(throws: (any Error).self) { _ = try await client.table("samples.tpch.nope") }
            await #expect(throws: SQLIdentifierError.self) { _ = try await client.table("just_a_name") }
        }
    }
}
