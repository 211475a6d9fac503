import DuckDB
import Foundation
import Testing

@Suite struct DatabaseBehaviourTests {
    @Test func versionIsThePinnedRelease() {
        #expect(Database.libraryVersion.hasPrefix("v2.0.1"))
    }

    @Test func appenderLoadsAMillionRowsInChunks() throws {
        let connection = try Database(configuration: .init(threads: 2)).connect()
        try connection.execute("CREATE TABLE big (id BIGINT, x DOUBLE)")
        let appender = try connection.appender(table: "big")
        let chunk = try appender.makeChunk()
        var id: Int64 = 0
        while id < 1_000_000 {
            chunk.reset()
            let n = min(DataChunk.capacity, 1_000_000 - Int(id))
            for row in 0..<n {
                try chunk.set(.bigint(id), column: 0, row: row)
                try chunk.set(.double(Double(id) / 2), column: 1, row: row)
                id += 1
            }
            chunk.count = n
            try appender.append(chunk)
        }
        try appender.close()
        let row = try #require(try connection.query("SELECT count(*), sum(id), sum(x) FROM big").rows().first)
        #expect(row[0] == .bigint(1_000_000))
        #expect(row[1] == .hugeint(499_999_500_000))
        #expect(row[2] == .double(249_999_750_000))
    }

    @Test func badSQLCarriesDuckDBsMessageAndTheSQL() throws {
        let connection = try Database().connect()
        let error = try #require(throws: DatabaseError.self) { try connection.execute("SELEC 1") }
        #expect(error.kind == .parser)
        #expect(error.message.contains("syntax error at or near \"SELEC\""))
        #expect(error.sql == "SELEC 1")
        #expect(error.description.contains("SELEC 1"))
    }

    @Test func constraintViolationSurfacesAtClose() throws {
        let connection = try Database().connect()
        try connection.execute("CREATE TABLE k (id INTEGER PRIMARY KEY, v VARCHAR NOT NULL)")
        let error = try #require(throws: DatabaseError.self) {
            try connection.execute("INSERT INTO k VALUES (1, 'a'), (1, 'b')")
        }
        #expect(error.kind == .constraint)
        #expect(error.message.contains("PRIMARY KEY or UNIQUE constraint violation"))

        let appender = try connection.appender(table: "k")
        try appender.append(row: [.integer(2), .null])
        let closeError = try #require(throws: DatabaseError.self) { try appender.close() }
        #expect(closeError.message.contains("NOT NULL"))
    }

    @Test func typeMismatchIsAConversionError() throws {
        let connection = try Database().connect()
        try connection.execute("CREATE TABLE n (i INTEGER)")
        let error = try #require(throws: DatabaseError.self) { try connection.execute("INSERT INTO n VALUES ('abc')") }
        #expect(error.kind == .conversion)
        #expect(error.message.contains("Could not convert string 'abc' to INT32"))

        let chunk = try DataChunk(types: [.integer])
        let mismatch = try #require(throws: DatabaseError.self) { try chunk.set(.varchar("abc"), column: 0, row: 0) }
        #expect(mismatch.kind == .mismatchType)
        #expect(!mismatch.description.contains("abc"))              // values never appear in errors
        let overflow = try #require(throws: DatabaseError.self) { try chunk.set(.bigint(1 << 40), column: 0, row: 0) }
        #expect(overflow.kind == .outOfRange)
    }

    @Test func fileDatabaseKeepsItsDataWhenReopened() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dbduck-\(UUID().uuidString).duckdb").path
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: path + ".wal") }
        do {
            let connection = try Database(path: path).connect()
            try connection.execute("CREATE SCHEMA s; CREATE TABLE s.t AS SELECT range AS x FROM range(1000)")
        }
        let connection = try Database(path: path, configuration: .init(readOnly: true)).connect()
        #expect(try connection.scalar("SELECT sum(x) FROM s.t") == .hugeint(499_500))
    }

    @Test func transactionRollsBackOnError() throws {
        let connection = try Database().connect()
        try connection.execute("CREATE TABLE t (x INTEGER)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try connection.transaction { try connection.execute("INSERT INTO t VALUES (1)"); throw Boom() }
        }
        #expect(try connection.scalar("SELECT count(*) FROM t") == .bigint(0))
        try connection.transaction { try connection.execute("INSERT INTO t VALUES (1)") }
        #expect(try connection.scalar("SELECT count(*) FROM t") == .bigint(1))
    }

    @Test func interruptStopsALongQueryPromptly() async throws {
        let database = try Database(configuration: .init(threads: 2))
        let connection = try database.connect()
        let handle = connection.interruptHandle
        // A dispatch timer, not a Task: the query blocks this thread, and on 2 busy cores a Task could
        // wait for a free cooperative thread (the interrupt then arrives late, not never).
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(300)) { handle.interrupt() }
        // Minutes of work without an interrupt: without it the query returns rows, and this fails.
        let error = try #require(throws: DatabaseError.self) {
            _ = try connection.query("SELECT count(*) FROM range(100000000000) a WHERE hash(a.range) % 7 = 3").rows()
        }
        #expect(error.isInterruption)
    }

    @Test func lockedFileFailsClearly() throws {
        // A second database instance on the same file in this process shares DuckDB's instance only
        // through the same Database object; a read-write open from another process is refused. Here we
        // check that a bad path fails with DuckDB's message instead of crashing.
        let error = try #require(throws: DatabaseError.self) { _ = try Database(path: "/nonexistent-dir/x.duckdb") }
        #expect(error.message.contains("/nonexistent-dir/x.duckdb"))
    }
}
