import Testing
@testable import Replication

@Suite struct TypeMappingTests {
    @Test(arguments: [
        ("BOOLEAN", "BOOLEAN"), ("TINYINT", "TINYINT"), ("SMALLINT", "SMALLINT"), ("INT", "INTEGER"),
        ("BIGINT", "BIGINT"), ("FLOAT", "FLOAT"), ("DOUBLE", "DOUBLE"), ("DECIMAL(38,18)", "DECIMAL(38,18)"),
        ("decimal(10,2)", "DECIMAL(10,2)"), ("STRING", "VARCHAR"), ("BINARY", "BLOB"), ("DATE", "DATE"),
        ("TIMESTAMP", "TIMESTAMPTZ"), ("TIMESTAMP_NTZ", "TIMESTAMP"), ("INTERVAL DAY TO SECOND", "INTERVAL"),
        ("ARRAY<INT>", "INTEGER[]"), ("array<array<string>>", "VARCHAR[][]"),
        ("MAP<STRING, BIGINT>", "MAP(VARCHAR, BIGINT)"),
        ("STRUCT<street: STRING, zip: INT NOT NULL COMMENT 'postal'>", "STRUCT(\"street\" VARCHAR, \"zip\" INTEGER)"),
        ("struct<a:int,b:array<struct<c:decimal(5,1)>>>", "STRUCT(\"a\" INTEGER, \"b\" STRUCT(\"c\" DECIMAL(5,1))[])"),
        ("STRUCT<`a\"; DROP TABLE x; --`: STRING>", "STRUCT(\"a\"\"; DROP TABLE x; --\" VARCHAR)"),
        ("VARIANT", "JSON"), ("VARCHAR(10)", "VARCHAR"),
    ])
    func mapsExactly(_ text: String, _ expected: String) throws {
        #expect(TypeMapping.duckDBType(try DatabricksType(parsing: text)) == expected)
    }

    @Test(arguments: ["GEOGRAPHY(4326)", "DECIMAL(39,2)", "ARRAY<INT", "MAP<INT>", ""])
    func refusesWhatItCannotKeepExact(_ text: String) {
        #expect(throws: TypeMappingError.self) { try DatabricksType(parsing: text) }
    }

    @Test func tableNamesParseQuotedPartsAndMatchPatterns() throws {
        let name = try #require(TableName(parsing: "main.`we.ird`.t"))
        #expect(name.schema == "we.ird")
        #expect(name.quoted == "`main`.`we.ird`.`t`")
        #expect(TableName(parsing: "a.b") == nil)
        let pattern = try #require(TableName(parsing: "main.sales.tmp_*"))
        #expect(pattern.matches(TableName(catalog: "main", schema: "sales", table: "TMP_x")))
        #expect(!pattern.matches(TableName(catalog: "main", schema: "sales", table: "orders")))
        #expect(TableName.quoteBackticks("a`b") == "`a``b`")
    }

    @Test func plannedSelectIsPinnedProjectedAndQuoted() {
        let table = PlannedTable(source: "main.demo.t", targetSchema: "demo", targetTable: "t",
                                 columns: [PlannedColumn(name: "a`b", sourceType: "INT", targetType: "INTEGER", nullable: true)],
                                 filter: "x > 1", strategy: .streaming, strategyReason: "", chunkSize: 10, version: 7,
                                 rowCount: 0)
        #expect(table.selectSQL == "SELECT `a``b` FROM `main`.`demo`.`t` VERSION AS OF 7 WHERE x > 1")
        #expect(table.countSQL == "SELECT COUNT(*) FROM `main`.`demo`.`t` VERSION AS OF 7 WHERE x > 1")
    }
}
