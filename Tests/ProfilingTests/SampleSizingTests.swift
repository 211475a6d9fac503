import Foundation
import Testing
@testable import Profiling

/// The sample `analyze` profiles is sized by time from a probe, and a strategy measured on fewer
/// rows is extrapolated at its own speed.
@Suite struct SampleSizingTests {
    @Test func theSampleFillsTheTargetSecondsAtTheProbesSpeed() {
        // 20,000 rows in 0.2 s: 100k rows/s, so 5 s of transfer is 500,000 rows.
        let sizing = SampleSizing.byTime(targetSeconds: 5, probeRows: 20_000, probeTransferSeconds: 0.2, tableRows: [6_001_215])
        #expect(sizing.method == .time)
        #expect(sizing.rowsPerTable == 500_000)
        #expect(sizing.sampleRows == 500_000)
        #expect(sizing.tableRows == 6_001_215)
        #expect(sizing.probeRowsPerSecond == 100_000)
        #expect(sizing.summary.contains("sized by time"))
        #expect(sizing.summary.contains("20000-row probe"))
        #expect(sizing.summary.contains("500000 rows per table"))
    }

    @Test func rowsAreSplitOverTheTablesAndRoundedDown() {
        // 73,400 rows/s for 5 s: 367,000 rows. The 90,000-row table is under an even share and is
        // copied whole; the other gets the remaining 277,000, rounded down to 270,000.
        let sizing = SampleSizing.byTime(targetSeconds: 5, probeRows: 14_680, probeTransferSeconds: 0.2,
                                         tableRows: [1_000_000, 90_000])
        #expect(sizing.rowsPerTable == 270_000)
        #expect(sizing.sampleRows == 270_000 + 90_000)
        #expect(sizing.tables == 2)
        // Two large tables share evenly: 183,500 each, rounded down to 180,000.
        let even = SampleSizing.byTime(targetSeconds: 5, probeRows: 14_680, probeTransferSeconds: 0.2,
                                       tableRows: [1_000_000, 2_000_000])
        #expect(even.rowsPerTable == 180_000)
    }

    @Test func tablesThatFitOrNearlyFitAreCopiedWhole() {
        let fits = SampleSizing.byTime(targetSeconds: 5, probeRows: 20_000, probeTransferSeconds: 0.1, tableRows: [600_122])
        #expect(fits.rowsPerTable == nil)
        #expect(fits.isWholeTables)
        #expect(fits.summary.contains("whole tables, about 3.00 s of transfer"))
        // 500,000 of 600,122 rows is more than three quarters of the table: the rest costs little.
        let nearly = SampleSizing.byTime(targetSeconds: 5, probeRows: 20_000, probeTransferSeconds: 0.2, tableRows: [600_122])
        #expect(nearly.rowsPerTable == nil)
        #expect(nearly.sampleRows == 600_122)
        // 1,000,000 rows is not: 500,000 of them are sampled.
        let sampled = SampleSizing.byTime(targetSeconds: 5, probeRows: 20_000, probeTransferSeconds: 0.2, tableRows: [1_000_000])
        #expect(sampled.rowsPerTable == 500_000)
    }

    @Test func aSlowProbeStillLeavesTheMinimum() {
        let sizing = SampleSizing.byTime(targetSeconds: 1, probeRows: 100, probeTransferSeconds: 2, tableRows: [1_000_000])
        #expect(sizing.rowsPerTable == SampleSizing.minimumRows)
    }

    @Test func givenSizesSayWhereTheyCameFrom() {
        let rows = SampleSizing.given(rowsPerTable: 100_000, tableRows: [600_122, 15_000])
        #expect(rows.method == .rows)
        #expect(rows.sampleRows == 115_000)
        #expect(rows.summary.contains("--sample"))
        let whole = SampleSizing.given(rowsPerTable: nil, tableRows: [600_122])
        #expect(whole.method == .wholeTables)
        #expect(whole.sampleRows == 600_122)
    }

    @Test func transferTimeLeavesOutTheFixedCosts() {
        // 24 chunks, then a 2 s commit: the commit is not transfer.
        let run = SyntheticRun(chunks: 24, commitSeconds: 2)
        let profile = PhaseProfile(events: run.events())
        let commit = profile[.commit]?.exclusiveSeconds ?? 0
        #expect(commit > 1.9)
        #expect(abs(SampleSizing.transferSeconds(of: profile) - (profile.elapsedSeconds - commit)) < 1e-9)
    }

    @Test func roundingKeepsTwoSignificantDigits() {
        #expect(SampleSizing.roundedDown(734_512) == 730_000)
        #expect(SampleSizing.roundedDown(99) == 99)
        #expect(SampleSizing.roundedDown(1_050) == 1_000)
    }

    @Test func extrapolationScalesTheMeasuredTime() {
        let x = Extrapolation(measuredRows: 3_000, measuredSeconds: 2, sampleRows: 300_000, tableRows: 6_000_000)
        #expect(x.sampleSeconds == 200)
        #expect(x.tableSeconds == 4_000)
        #expect(x.summary.contains("3000-row sub-sample"))
        #expect(x.summary.contains("300000-row sample"))
        let whole = Extrapolation(measuredRows: 3_000, measuredSeconds: 2, sampleRows: 600_000, tableRows: 600_000)
        #expect(whole.sampleSeconds == whole.tableSeconds)
        #expect(whole.summary.contains("the whole 600000 rows would take"))
    }
}
