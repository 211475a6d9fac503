import DuckDB
import Testing

/// Every type the replicator maps to, at its extremes and NULL, through the appender (row API)
/// and back through `duckdb_fetch_chunk`.
@Suite struct ValueRoundTripTests {
    static let cases: [(String, LogicalType, [Value])] = [
        ("BOOLEAN", .boolean, [.boolean(true), .boolean(false)]),
        ("TINYINT", .tinyint, [.tinyint(.min), .tinyint(.max), .tinyint(0)]),
        ("SMALLINT", .smallint, [.smallint(.min), .smallint(.max)]),
        ("INTEGER", .integer, [.integer(.min), .integer(.max)]),
        ("BIGINT", .bigint, [.bigint(.min), .bigint(.max)]),
        ("HUGEINT", .hugeint, [.hugeint(.min + 1), .hugeint(.max), .hugeint(-1)]),
        ("FLOAT", .float, [.float(.greatestFiniteMagnitude), .float(-.leastNonzeroMagnitude), .float(.infinity)]),
        ("DOUBLE", .double, [.double(.greatestFiniteMagnitude), .double(-0.1), .double(-.infinity)]),
        ("DECIMAL(4,2)", .decimal(width: 4, scale: 2), [.decimal(DecimalValue(unscaled: 9999, width: 4, scale: 2)),
                                                        .decimal(DecimalValue(unscaled: -9999, width: 4, scale: 2))]),
        ("DECIMAL(18,6)", .decimal(width: 18, scale: 6), [.decimal(DecimalValue(unscaled: 999_999_999_999_999_999, width: 18, scale: 6))]),
        ("DECIMAL(38,10)", .decimal(width: 38, scale: 10),
         [.decimal(DecimalValue(unscaled: Int128("99999999999999999999999999999999999999")!, width: 38, scale: 10)),
          .decimal(DecimalValue(unscaled: Int128("-99999999999999999999999999999999999999")!, width: 38, scale: 10))]),
        ("VARCHAR", .varchar, [.varchar(""), .varchar("short"), .varchar("a longer string that is not inlined ✓ ünïcödé 🦆")]),
        ("BLOB", .blob, [.blob([]), .blob([0, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])]),
        ("DATE", .date, [.date(days: -719_162), .date(days: 2_932_896), .date(days: 0)]),
        ("TIMESTAMP", .timestamp, [.timestamp(micros: -62_135_596_800_000_000), .timestamp(micros: 253_402_300_799_999_999)]),
        ("TIMESTAMPTZ", .timestampTZ, [.timestampTZ(micros: -2_208_988_800_000_000), .timestampTZ(micros: 32_503_680_000_000_000)]),
        ("INTERVAL", .interval, [.interval(IntervalValue(months: -14, days: 3, micros: -1)), .interval(IntervalValue(months: 0, days: 0, micros: 86_400_000_000))]),
        ("INTEGER[]", .list(.integer), [.list([]), .list([.integer(1), .null, .integer(3)])]),
        ("STRUCT(\"a b\" INTEGER, \"c\" VARCHAR[])", .structure([.init("a b", .integer), .init("c", .list(.varchar))]),
         [.structure([StructField("a b", .integer(7)), StructField("c", .list([.varchar("x"), .null]))]),
          .structure([StructField("a b", .null), StructField("c", .null)])]),
        ("MAP(VARCHAR, DOUBLE[])", .map(key: .varchar, value: .list(.double)),
         [.map([]), .map([MapEntry(key: .varchar("k"), value: .list([.double(1.5)])), MapEntry(key: .varchar("z"), value: .null)])]),
        ("JSON", .json, [.varchar("{\"a\": [1, 2, null]}"), .varchar("null")]),
    ]

    @Test(arguments: cases.map(\.0))
    func roundTrip(_ sqlType: String) throws {
        let (_, expectedType, values) = try #require(Self.cases.first { $0.0 == sqlType })
        let connection = try Database().connect()
        try connection.execute("CREATE TABLE t (i INTEGER, v \(sqlType))")
        let appender = try connection.appender(table: "t")
        let all = values + [.null]
        for (i, value) in all.enumerated() { try appender.append(row: [.integer(Int32(i)), value]) }
        try appender.close()

        let result = try connection.query("SELECT v FROM t ORDER BY i")
        #expect(result.columnTypes == [expectedType])
        let read = try result.rows().map { $0[0] }
        #expect(read == all)
    }

    @Test func decimalParsesExactly() throws {
        let d = try #require(DecimalValue("-12345678901234567890123456.789012345600", width: 38, scale: 10))
        #expect(d.description == "-12345678901234567890123456.7890123456")
        #expect(DecimalValue("1.23", width: 3, scale: 1) == nil)          // too many fractional digits
        #expect(DecimalValue("12345", width: 4, scale: 0) == nil)         // too many digits
        #expect(DecimalValue("abc", width: 10, scale: 2) == nil)
        #expect(DecimalValue("0.05", width: 4, scale: 2)?.description == "0.05")
    }

    @Test func sqlLiteralsReadBackTyped() throws {
        let connection = try Database().connect()
        let row = try #require(try connection.query("""
            SELECT 170141183460469231731687303715884105727::HUGEINT, 12.50::DECIMAL(10,2),
                   TIMESTAMPTZ '1900-01-01 00:00:00+00', DATE '1969-12-31', INTERVAL 1 MONTH,
                   [1, 2]::INTEGER[], {'a': 1}, MAP {'k': 1}, NULL::VARCHAR
            """).rows().first)
        #expect(row == [.hugeint(.max), .decimal(DecimalValue(unscaled: 1250, width: 10, scale: 2)),
                        .timestampTZ(micros: -2_208_988_800_000_000), .date(days: -1),
                        .interval(IntervalValue(months: 1)), .list([.integer(1), .integer(2)]),
                        .structure([StructField("a", .integer(1))]), .map([MapEntry(key: .varchar("k"), value: .integer(1))]), .null])
    }

    @Test func preparedStatementBindsTypedValues() throws {
        let connection = try Database().connect()
        try connection.execute("CREATE TABLE p (a BIGINT, b DECIMAL(38,2), c VARCHAR, d TIMESTAMPTZ, e BLOB, f BOOLEAN)")
        let insert = try connection.prepare("INSERT INTO p VALUES (?, ?, ?, ?, ?, ?)")
        let values: [Value] = [.bigint(.min), .decimal(DecimalValue(unscaled: Int128("-99999999999999999999999999999999999999")!, width: 38, scale: 2)),
                               .varchar("it's \"quoted\""), .timestampTZ(micros: 1), .blob([1, 2]), .null]
        try insert.execute(values)
        #expect(try connection.query("SELECT * FROM p").rows() == [values])
        #expect(throws: DatabaseError.self) { try insert.execute([.integer(1)]) }
    }
}
