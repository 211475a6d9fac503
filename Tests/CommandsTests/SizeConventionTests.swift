import DuckDB
import Testing
import Timing

/// `64MB` means one number everywhere: dbduck reads sizes as the linked DuckDB reads its
/// `memory_limit` (MB = 10^6 bytes, MiB = 2^20), and a written size reads back as the same bytes.
@Suite struct SizeConventionTests {
    /// DuckDB's own reading of `literal`, as it displays the resulting `memory_limit`.
    static func duckdbReading(_ literal: String) throws -> String? {
        let connection = try Database(path: ":memory:").connect()
        try connection.execute("SET memory_limit = '\(literal)'")
        return try connection.scalar("SELECT current_setting('memory_limit')")?.stringValue
    }

    @Test(arguments: ["64MB", "64MiB", "85MB", "1GB", "1GiB", "1.5GB", "512KB", "100M", "2G", "3TB", "64 megabytes"])
    func dbduckReadsASizeAsDuckDBDoes(_ literal: String) throws {
        let bytes = try #require(ByteSize.parse(literal))
        #expect(try Self.duckdbReading(literal) == Self.duckdbReading("\(bytes) bytes"), "\(literal) = \(bytes) bytes")
    }

    @Test func megabytesAreDecimalAndMebibytesBinary() {
        #expect(ByteSize.parse("64MB") == 64_000_000)
        #expect(ByteSize.parse("64MiB") == 64 << 20)
        #expect(ByteSize.parse("4GB") == 4_000_000_000)
        #expect(ByteSize.parse("lots") == nil)
        #expect(ByteSize.parse("-1MB") == nil)
    }

    @Test(arguments: [0, 1, 999, 1000, 1024, 64_000_000, 64 << 20, 85_000_000, 1 << 30, 4_000_000_000, 123_456_789, 3 << 40])
    func aWrittenSizeReadsBackAsTheSameBytes(_ bytes: Int) {
        #expect(ByteSize.parse(ByteSize.literal(bytes)) == bytes)
    }

    @Test func reportsUseTheSameMegabyte() {
        #expect(Units.bytes(64_000_000) == "64.0 MB")
        #expect(ByteSize.literal(64_000_000) == "64MB")
        #expect(ByteSize.roundedLiteral(128_400_000) == "128MB")
    }
}
