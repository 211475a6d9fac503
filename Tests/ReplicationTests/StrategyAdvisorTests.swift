import Testing
@testable import Replication

@Suite struct StrategyAdvisorTests {
    /// A lineitem-like table: stored bytes per row well under what its rows take on the wire.
    static let rows: Int64 = 6_001_215
    static let storedBytes: Int64 = rows * 40

    @Test func everyStrategyHasARate() {
        for strategy in LoadStrategy.allCases {
            let rate = StrategyAdvisor.measuredThroughput[strategy]
            #expect(rate != nil, "no measured rate for \(strategy)")
            #expect((rate?.rowsPerSecond ?? 0) > 0 && (rate?.bytesPerSecond ?? 0) > 0)
        }
    }

    @Test func estimatesFollowTheMeasuredOrder() throws {
        func seconds(_ strategy: LoadStrategy) throws -> Double {
            try #require(StrategyAdvisor.estimatedSeconds(strategy, rows: Self.rows, bytes: Self.storedBytes))
        }
        // What `auto` relies on: streaming fastest, row-by-row slowest.
        #expect(try seconds(.streaming) < seconds(.parquet))
        #expect(try seconds(.parquet) < seconds(.batch))
        #expect(try seconds(.batch) < seconds(.basic))
    }

    @Test func rowsDecideForATableShapedLikeTheBenchmark() throws {
        let rate = try #require(StrategyAdvisor.measuredThroughput[.streaming])
        let estimate = try #require(StrategyAdvisor.estimatedSeconds(.streaming, rows: Self.rows, bytes: Self.storedBytes))
        #expect(abs(estimate - (Double(Self.rows) / rate.rowsPerSecond + 0.2)) < 1e-9)
        // Unknown size: the same, from rows alone.
        #expect(StrategyAdvisor.estimatedSeconds(.streaming, rows: Self.rows, bytes: nil) == estimate)
    }

    @Test func bytesDecideForVeryWideRows() throws {
        let rate = try #require(StrategyAdvisor.measuredThroughput[.streaming])
        let rows: Int64 = 1_000_000, bytes: Int64 = rows * 10_000     // 10 KB a row
        let estimate = try #require(StrategyAdvisor.estimatedSeconds(.streaming, rows: rows, bytes: bytes))
        #expect(abs(estimate - (Double(bytes) / rate.bytesPerSecond + 0.2)) < 1e-9)
        #expect(estimate > Double(rows) / rate.rowsPerSecond + 0.2)
    }
}
