import Timing
import Foundation
import Testing
@testable import Profiling

@Suite struct RecordingTests {
    @Test func recordsFromManyTasksWithoutLosingEvents() async {
        let recorder = PhaseRecorder()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for i in 0..<1000 {
                        recorder.record(TransferEvent(phase: .download, table: "t\(task)", start: .now, duration: .milliseconds(1), bytes: i))
                    }
                }
            }
        }
        #expect(recorder.count == 8000)
        let events = recorder.drain()
        #expect(events.count == 8000)
        #expect(Set(events.compactMap(\.table)).count == 8)
        #expect(events.allSatisfy { $0.start >= 0 && abs($0.duration - 0.001) < 1e-9 })
        #expect(recorder.count == 0)
    }

    @Test func timesAreRelativeToTheOrigin() {
        let origin = ContinuousClock.now
        let recorder = PhaseRecorder(origin: origin)
        recorder.record(TransferEvent(phase: .load, start: origin + .seconds(2), duration: .milliseconds(250), rows: 7))
        #expect(recorder.events() == [RecordedEvent(phase: .load, start: 2, duration: 0.25, rows: 7)])
    }

    @Test func measureRecordsTheSpanAndReturnsTheValue() throws {
        let recorder = PhaseRecorder()
        let value = recorder.measure(.decode, table: "x", rows: 3) { 42 }
        #expect(value == 42)
        let event = try #require(recorder.events().first)
        #expect(event.phase == .decode && event.table == "x" && event.rows == 3 && event.duration >= 0)
        // The Databricks helper reports to an attached recorder and costs nothing without one.
        let attached: (any TransferObserver)? = recorder, detached: (any TransferObserver)? = nil
        #expect(attached.measure(.load) { 1 } + detached.measure(.load) { 2 } == 3)
        #expect(recorder.count == 2)
    }

    #if os(Linux)
    @Test func probeReadsResidentMemory() throws {
        let rss = try #require(MemoryProbe.residentBytes())
        let peak = try #require(MemoryProbe.peakResidentBytes())
        #expect(rss > 1 << 20)
        #expect(peak >= rss / 2)
    }
    #endif

    @Test func samplerKeepsATimelineAndTheBufferHighWater() async throws {
        let sampler = MemorySampler(interval: .milliseconds(2), bufferProbe: { 1234 })
        sampler.start()
        sampler.noteBuffer(bytes: 99_999)
        var keep: [[UInt8]] = []
        for _ in 0..<5 { keep.append([UInt8](repeating: 1, count: 1 << 20)); try await Task.sleep(for: .milliseconds(5)) }
        let timeline = sampler.stop()
        #expect(keep.count == 5)
        #expect(timeline.samples.count >= 2)                       // first and last at least
        #expect(timeline.bufferHighWaterBytes == 99_999)
        #expect(timeline.samples.allSatisfy { $0.bufferBytes == 1234 })
        #expect(zip(timeline.samples, timeline.samples.dropFirst()).allSatisfy { $0.time <= $1.time })
        #if os(Linux)
        #expect(timeline.peakResidentBytes >= timeline.samples.map(\.residentBytes).max() ?? 0)
        #expect(timeline.baselineResidentBytes > 0)
        #endif
    }

    @Test func stopWithoutStartIsHarmless() {
        let timeline = MemorySampler().stop()
        #expect(timeline.samples.count == 1)
    }
}

@Suite struct ProfilingSessionTests {
    @Test func sessionRecordsEventsAndMemoryOnOneClock() throws {
        let session = ProfilingSession(memoryInterval: .milliseconds(2))
        session.start()
        let observer: (any TransferObserver)? = session.recorder
        _ = observer.measure(.download, table: "t", bytes: 1000) { usleep(3000) }
        _ = observer.measure(.load, table: "t", rows: 50) { usleep(3000) }
        let run = session.stop()
        #expect(run.events.map(\.phase) == [.download, .load])
        #expect(run.wallSeconds >= run.events[1].end)
        let row = StrategyRun(strategy: "streaming", run: run)
        #expect(row.rows == 50 && row.bytes == 1000 && row.seconds >= 0.006)
        #expect(row.peakRSSBytes == run.memory.peakResidentBytes)
    }

    @Test func bufferLevelsOfAllHoldersAreSummed() throws {
        final class Holder {}
        let pipeline = Holder(), queue = Holder()
        let session = ProfilingSession(memoryInterval: .milliseconds(500))
        session.start()
        let observer: any TransferObserver = session.recorder
        observer.bufferLevel(20, buffer: ObjectIdentifier(pipeline))
        observer.bufferLevel(30, buffer: ObjectIdentifier(queue))      // 50 held at once
        observer.bufferLevel(5, buffer: ObjectIdentifier(pipeline))    // 35
        session.sampler.sampleNow()
        observer.bufferLevel(0, buffer: ObjectIdentifier(queue))       // 5
        let run = session.stop()
        #expect(run.memory.bufferHighWaterBytes == 50)
        #expect(run.memory.samples.contains { $0.bufferBytes == 35 })
        #expect(run.memory.samples.last?.bufferBytes == 5)
    }
}
