import Timing
import Testing
@testable import Profiling

@Suite struct PhaseProfileTests {
    func event(_ phase: TransferPhase, _ start: Double, _ end: Double, bytes: Int = 0, rows: Int = 0, table: String? = "t") -> RecordedEvent {
        RecordedEvent(phase: phase, table: table, start: start, duration: end - start, bytes: bytes, rows: rows)
    }

    @Test func overlappingSpansOfOnePhaseCountOnce() throws {
        let profile = PhaseProfile(events: [event(.download, 0, 2, bytes: 100), event(.download, 1, 3, bytes: 100)])
        let download = try #require(profile[.download])
        #expect(download.busySeconds == 3)
        #expect(download.summedSeconds == 4)
        #expect(abs(download.concurrency - 4.0 / 3) < 1e-9)
        #expect(download.share == 1)
        #expect(download.bytesPerSecond == 200.0 / 3)
        #expect(download.spans == [IntervalUnion.Span(start: 0, end: 3)])
    }

    @Test func overlappingPhasesAreShownAndSplitEvenly() throws {
        let profile = PhaseProfile(events: [event(.download, 0, 4, bytes: 400), event(.load, 2, 6, rows: 1000)])
        #expect(profile.elapsedSeconds == 6)
        let download = try #require(profile[.download]), load = try #require(profile[.load])
        #expect(download.busySeconds == 4 && load.busySeconds == 4)   // each phase's own wall time
        #expect(download.exclusiveSeconds == 3 && load.exclusiveSeconds == 3)
        #expect(download.share == 0.5 && load.share == 0.5)          // shares add up to 100%, not 133%
        #expect(profile.overlaps == [PhaseOverlap(first: .download, second: .load, seconds: 2)])
        #expect(profile.busySeconds == 6 && profile.idleSeconds == 0)
        #expect(profile.rows == 1000 && profile.bytes == 400)
    }

    @Test func gapsAreIdleAndSharesAddUp() {
        let profile = PhaseProfile(events: [event(.metadata, 0, 1), event(.warehouseWait, 2, 3), event(.load, 2.5, 4)])
        #expect(profile.idleSeconds == 1)
        let total = profile.phases.reduce(0) { $0 + $1.share } + profile.idleShare
        #expect(abs(total - 1) < 1e-9)
    }

    @Test func backToBackSpansDoNotOverlap() {
        let profile = PhaseProfile(events: [event(.download, 0, 1), event(.load, 1, 2)])
        #expect(profile.overlaps.isEmpty)
        #expect(profile[.download]?.share == 0.5)
    }

    @Test func throughputBucketsKeepTheTotals() {
        let events = SyntheticRun(chunks: 30, parallelism: 3).events()
        let profile = PhaseProfile(events: events, buckets: 17)
        #expect(profile.throughput.count == 17)
        let bytes = profile.throughput.reduce(0) { $0 + $1.downloadBytes }
        let rows = profile.throughput.reduce(0) { $0 + $1.rows }
        #expect(abs(bytes - Double(30 * 20_000_000)) < 1)
        #expect(abs(rows - Double(30 * 250_000)) < 1e-3)
    }

    @Test func perTableProfilesInOrderOfActivity() {
        let first = SyntheticRun(table: "a.b.second", chunks: 4).events()
        let second = SyntheticRun(table: "a.b.first", chunks: 4, offset: 100).events()
        let tables = PhaseProfile.perTable(second + first + [event(.metadata, 0, 1, table: nil)])
        #expect(tables.map(\.table) == ["a.b.second", "a.b.first"])
        #expect(tables[0].rows == 4 * 250_000)
    }

    @Test func bandwidthOverTheFirstDownloadsAddsParallelLinks() {
        let events = [event(.download, 0, 1, bytes: 1000), event(.download, 0, 1, bytes: 1000), event(.download, 5, 6, bytes: 10)]
        #expect(PhaseProfile.bandwidth(of: events, firstDownloads: 2) == 2000)
        #expect(PhaseProfile.bandwidth(of: [], firstDownloads: 2) == nil)
    }

    @Test func retryCausesAreCounted() {
        let run = SyntheticRun(chunks: 10, retries: [1: 0.5, 3: 0.5, 5: 0.5])
        let profile = PhaseProfile(events: run.events())
        #expect(profile.retryCauses == [PhaseProfile.RetryCause(detail: "HTTP 503 from storage", count: 3)])
    }

    @Test func emptyInputGivesAnEmptyProfile() {
        let profile = PhaseProfile(events: [])
        #expect(profile.phases.isEmpty && profile.elapsedSeconds == 0 && profile.throughput.isEmpty)
    }
}
