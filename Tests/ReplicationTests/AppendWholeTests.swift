import DuckDB
import Testing
@testable import Replication

/// A small table whose Arrow columns already have their planned types skips the scan: the check
/// must know each planned type in DuckDB's own spelling, and never take a type that needs converting.
@Suite struct AppendWholeTests {
    @Test(arguments: [
        "BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL(38,18)", "DECIMAL(5,1)",
        "STRING", "BINARY", "DATE", "TIMESTAMP", "TIMESTAMP_NTZ", "INTERVAL DAY TO SECOND", "ARRAY<INT>",
        "ARRAY<ARRAY<TIMESTAMP>>", "MAP<STRING, BIGINT>", "STRUCT<`a b`: INT, `q\"t`: ARRAY<TIMESTAMP>>",
    ])
    func aPlannedTypeIsKnownInDuckDBsSpelling(_ databricks: String) throws {
        let planned = TypeMapping.duckDBType(try DatabricksType(parsing: databricks))
        let connection = try Database().connect()
        try connection.execute("CREATE TABLE t (c \(planned))")
        let type = try #require(try connection.appender(table: "t").columnTypes.first)
        #expect(TableWriter.isSame(type, planned), "\(type) for \(planned)")
    }

    @Test func aColumnThatNeedsConvertingIsNotTaken() {
        #expect(!TableWriter.isSame(.varchar, "JSON"))                              // VARIANT arrives as text
        #expect(!TableWriter.isSame(.varchar, "STRUCT(\"a\" INTEGER)"))             // nested values sent as JSON
        #expect(!TableWriter.isSame(.timestamp, "TIMESTAMPTZ"))
        #expect(!TableWriter.isSame(.decimal(width: 10, scale: 2), "DECIMAL(10,3)"))
        #expect(!TableWriter.isSame(.structure([.init("A", .integer)]), "STRUCT(\"a\" INTEGER)"))
    }
}
