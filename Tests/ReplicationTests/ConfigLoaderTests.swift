import Timing
import DuckDB
import Testing
@testable import Replication

@Suite struct ConfigLoaderTests {
    @Test func readsTheDocumentedExample() throws {
        let yaml = """
        source:   { profile: DEFAULT, warehouse_id: abc123 }
        target:   { path: analytics.duckdb, memory_limit: 4GB, threads: 2 }
        defaults: { strategy: auto, chunk_size: 100000, parallel_tables: 2, download_parallelism: 4,
                    retries: { max: 5 } }
        tables:
          - samples.tpch.orders
          - name: main.sales.*
            exclude: [main.sales.tmp_*]
          - name: samples.tpch.lineitem
            target: lineitem
            columns: [l_orderkey, l_quantity]
            where: "l_shipdate >= '1995-01-01'"
            strategy: streaming
        """
        let config = try ConfigLoader.parse(yaml)
        #expect(config.source.profile == "DEFAULT")
        #expect(config.source.warehouseID == "abc123")
        #expect(config.target == TargetSettings(path: "analytics.duckdb", memoryLimit: "4GB", threads: 2))
        #expect(config.defaults.strategy == .auto)
        #expect(config.defaults.parallelTables == 2)
        #expect(config.defaults.maxRetries == 5)
        #expect(config.tables.count == 3)
        #expect(config.tables[1].exclude == ["main.sales.tmp_*"])
        #expect(config.tables[2].target == "lineitem")
        #expect(config.tables[2].columns == ["l_orderkey", "l_quantity"])
        #expect(config.tables[2].filter == "l_shipdate >= '1995-01-01'")
        #expect(config.tables[2].strategy == .fixed(.streaming))
        #expect(config.tables[2].line == 9)
    }

    @Test func understandsTheSeedsNames() throws {
        let config = try ConfigLoader.parse("""
        global:
          default_optimization_level: pandas
          default_chunk_size: 50000
        tables: [samples.tpch.orders]
        """)
        #expect(config.defaults.strategy == .fixed(.batch))
        #expect(config.defaults.chunkSize == 50000)
    }

    @Test func unknownKeyNamesFileLineKeyAndTheFix() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("tables: [a.b.c]\ndefaults:\n  chunk_sise: 10\n", file: "dbduck.yml")
        }
        #expect(error?.line == 3)
        #expect(error?.description == "dbduck.yml:3: unknown key 'chunk_sise' in 'defaults'. Did you mean 'chunk_size'? Valid keys: strategy, chunk_size, parallel_tables, download_parallelism, retries, memory_budget, verify, compression, mode, deletes, stall_timeout, checkpoint_every, row_inserters.")
    }

    @Test func rowOrderIsOptIn() throws {
        #expect(try ConfigLoader.parse("target: { preserve_order: true }\ntables: [a.b.c]").target.preserveOrder == true)
        #expect(try ConfigLoader.parse("tables: [a.b.c]").target.preserveOrder == nil)
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("target: { preserve_order: sometimes }\ntables: [a.b.c]") }
        // The target opens with the setting DuckDB reads.
        func setting(_ target: TargetSettings) throws -> String? {
            try Database(configuration: target.databaseConfiguration).connect()
                .scalar("SELECT current_setting('preserve_insertion_order')::VARCHAR")?.stringValue
        }
        #expect(try setting(TargetSettings()) == "false")
        #expect(try setting(TargetSettings(preserveOrder: true)) == "true")
    }

    @Test func replacingUnmanagedTablesIsOptIn() throws {
        #expect(try ConfigLoader.parse("target: { replace_unmanaged: true }\ntables: [a.b.c]").target.replacesUnmanaged)
        #expect(try !ConfigLoader.parse("tables: [a.b.c]").target.replacesUnmanaged)
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse("target:\n  replace_unmanaged: maybe\ntables: [a.b.c]") }
        #expect(error?.description == "dbduck.yml:2: 'replace_unmanaged' must be true or false, got \"maybe\".")
    }

    @Test func memoryBudgetIsSharedWithoutOvershoot() {
        for budget in [1, 7, 64 << 20, 256 << 20] {
            #expect(MemoryBudgetShare.downloads(budget) + MemoryBudgetShare.scanQueue(budget) <= max(2, budget))
            #expect(MemoryBudgetShare.downloads(budget) >= MemoryBudgetShare.scanQueue(budget))
        }
        #expect(MemoryBudgetShare.scanQueue(64 << 20) == 16 << 20)
        #expect(MemoryBudgetShare.downloads(64 << 20) == 48 << 20)
    }

    @Test func wrongTypeSaysWhatToWrite() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("defaults:\n  chunk_size: 10k\ntables: [a.b.c]\n", file: "replication.yaml")
        }
        #expect(error?.description == "replication.yaml:2: 'chunk_size' must be a positive integer, got \"10k\". Write e.g. chunk_size: 100000.")
    }

    @Test func rowInsertersIsAPositiveCount() throws {
        #expect(try ConfigLoader.parse("defaults: { row_inserters: 3 }\ntables: [a.b.c]\n").defaults.rowInserters == 3)
        #expect(try ConfigLoader.parse("tables: [a.b.c]\n").defaults.rowInserters == nil)
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("defaults:\n  row_inserters: 0\ntables: [a.b.c]\n", file: "dbduck.yml")
        }
        #expect(error?.description == "dbduck.yml:2: 'row_inserters' must be a positive integer, got 0. Write e.g. row_inserters: 2.")
    }

    @Test func badStrategyListsTheValidOnes() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("tables:\n  - name: a.b.c\n    strategy: turbo\n")
        }
        #expect(error?.line == 3)
        #expect(error?.message.contains("auto, basic, batch, parquet, streaming") == true)
    }

    @Test func missingTablesAndBadNamesAreRefused() {
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("defaults: { strategy: auto }\n") }
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse("tables: [orders]\n") }
        #expect(error?.message.contains("not a three-part table name") == true)
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("tables:\n  - name: a.b.*\n    target: x\n") }
    }

    @Test func invalidYAMLIsLocated() {
        let error = #expect(throws: ConfigError.self) { try ConfigLoader.parse("tables: [a.b.c\nfoo: : :\n") }
        #expect(error?.message.contains("not valid YAML") == true)
        #expect(error?.line != nil)
    }

    @Test func memorySizes() {
        #expect(ByteSize.parse("4GB") == 4_000_000_000)
        #expect(ByteSize.parse("512MiB") == 512 << 20)
        #expect(ByteSize.parse("lots") == nil)
    }
}
