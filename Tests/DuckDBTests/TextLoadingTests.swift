import DuckDB
import Testing

/// Loading text that DuckDB converts: text bound to a prepared statement, and text chunks fed
/// through a query appender whose INSERT … SELECT converts them.
@Suite struct TextLoadingTests {
    private func textAppender(_ connection: Connection) throws -> Appender {
        try connection.execute("CREATE TABLE t (id INTEGER, amount DECIMAL(38,10), ts TIMESTAMPTZ)")
        let insert = "INSERT INTO t SELECT CAST(id AS INTEGER), CAST(amount AS DECIMAL(38,10)), CAST(ts AS TIMESTAMPTZ) FROM landing"
        return try connection.appender(query: insert, relation: "landing",
                                       columns: [("id", .varchar), ("amount", .varchar), ("ts", .varchar)])
    }

    @Test func queryAppenderConvertsTheRowsAppendedSinceEachFlush() throws {
        let connection = try Database().connect()
        try connection.execute("SET TimeZone = 'UTC'")
        let appender = try textAppender(connection)
        let chunk = try appender.makeChunk()
        try chunk.set(text: "1", column: 0, row: 0)
        try chunk.set(text: "1234567890123456789012345678.0123456789", column: 1, row: 0)
        try chunk.set(text: "2024-02-29T23:59:59.123456+02:00", column: 2, row: 0)
        try chunk.set(text: "2", column: 0, row: 1)
        try chunk.set(text: nil, column: 1, row: 1)
        try chunk.set(text: nil, column: 2, row: 1)
        chunk.count = 2
        try appender.append(chunk)
        try appender.flush()
        #expect(try connection.scalar("SELECT count(*) FROM t") == .bigint(2))

        chunk.reset()
        try chunk.set(text: "3", column: 0, row: 0)
        try chunk.set(text: "-0.5", column: 1, row: 0)
        try chunk.set(text: "1970-01-01T00:00:00Z", column: 2, row: 0)
        chunk.count = 1
        try appender.append(chunk)
        try appender.close()

        let rows = try connection.query("SELECT id, CAST(amount AS VARCHAR), CAST(ts AS VARCHAR) FROM t ORDER BY id").rows()
        #expect(rows == [
            [.integer(1), .varchar("1234567890123456789012345678.0123456789"), .varchar("2024-02-29 21:59:59.123456+00")],
            [.integer(2), .null, .null],
            [.integer(3), .varchar("-0.5000000000"), .varchar("1970-01-01 00:00:00+00")],
        ])
    }

    @Test func queryAppenderReportsABadValueAtFlush() throws {
        let connection = try Database().connect()
        let appender = try textAppender(connection)
        let chunk = try appender.makeChunk()
        try chunk.set(text: "not a number", column: 0, row: 0)
        chunk.count = 1
        try appender.append(chunk)
        #expect(throws: DatabaseError.self) { try appender.flush() }
        #expect(try connection.scalar("SELECT count(*) FROM t") == .bigint(0))
    }

    @Test func textGoesOnlyIntoTextColumns() throws {
        let chunk = try DataChunk(types: [.varchar, .integer])
        let error = try #require(throws: DatabaseError.self) { try chunk.set(text: "1", column: 1, row: 0) }
        #expect(error.kind == .mismatchType)
        #expect(throws: DatabaseError.self) { try chunk.set(text: "1", column: 2, row: 0) }
    }

    @Test func boundTextIsCastInThePlanAndNilIsNull() throws {
        let connection = try Database().connect()
        try connection.execute("CREATE TABLE n (x BIGINT, y DOUBLE)")
        let insert = try connection.prepare("INSERT INTO n VALUES (CAST(CAST(? AS VARCHAR) AS BIGINT), CAST(CAST(? AS VARCHAR) AS DOUBLE))")
        for (x, y) in [("9223372036854775807", "NaN"), ("-1", nil), (nil, "-Infinity")] as [(String?, String?)] {
            try insert.bind(text: x, at: 1)
            try insert.bind(text: y, at: 2)
            try insert.execute()
        }
        let rows = try connection.query("SELECT x, y::VARCHAR FROM n ORDER BY x NULLS LAST").rows()
        #expect(rows == [[.bigint(-1), .null], [.bigint(.max), .varchar("nan")], [.null, .varchar("-inf")]])
        #expect(throws: DatabaseError.self) { try insert.bind(text: "1", at: 3) }
    }
}
