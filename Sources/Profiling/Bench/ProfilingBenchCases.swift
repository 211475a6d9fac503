import Foundation
import Timing

/// Pure-CPU benchmark cases of the profiler itself: they need no network, no database and no config.
///
/// - `recorder: record` — one `PhaseRecorder.record` per item; seconds per row is the cost per event.
/// - `recorder: record, contended` — the same from 2 threads at once.
/// - `recorder: measure (on|off|baseline)` — `Optional<TransferObserver>.measure` around a tiny
///   body, with a recorder and with nil, and the body called directly: the cost of profiling
///   when on, and (off − baseline) when off.
/// - `recorder: buffer level` — one ``PhaseRecorder/bufferLevel(_:buffer:)`` per item, into a
///   session's memory sampler, from two alternating holders (the pipeline reports on every network
///   read, so a 6M-row copy makes some thousands of these calls).
/// - `profile: build` / `report: analyze + render` — the analysis on a synthetic run.
public enum ProfilingBenchCases {
    public static func all(events: Int = 200_000) -> [BenchCase] {
        [record(events: events), recordContended(events: events), measure(events: events, on: true),
         measure(events: events, on: false), directBaseline(events: events), bufferLevel(events: events),
         buildProfile(), renderReport()]
    }

    public static func record(events: Int) -> BenchCase {
        BenchCase("recorder: record", parameters: ["events": String(events)], iterations: 7) {
            let recorder = PhaseRecorder(expectedEvents: events)
            let start = ContinuousClock.now
            for i in 0..<events {
                recorder.record(TransferEvent(phase: .download, table: "t", start: start, duration: .microseconds(i & 1023), bytes: i))
            }
            return BenchWork(rows: recorder.count)
        }
    }

    public static func recordContended(events: Int, threads: Int = 2) -> BenchCase {
        BenchCase("recorder: record, contended", parameters: ["events": String(events), "threads": String(threads)], iterations: 7) {
            let recorder = PhaseRecorder(expectedEvents: events)
            let start = ContinuousClock.now
            let perThread = events / threads
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                for i in 0..<perThread {
                    recorder.record(TransferEvent(phase: .load, table: "t", start: start, duration: .microseconds(i & 1023), rows: i))
                }
            }
            return BenchWork(rows: recorder.count)
        }
    }

    public static func measure(events: Int, on: Bool) -> BenchCase {
        BenchCase("recorder: measure", parameters: ["events": String(events), "observer": on ? "on" : "off"], iterations: 7) {
            let observer: (any TransferObserver)? = on ? PhaseRecorder(expectedEvents: events) : nil
            var sum = 0
            for i in 0..<events {
                sum &+= observer.measure(.decode, table: "t", rows: i) { work(i) }
            }
            // Keeps `sum` alive so the loop is not optimised away.
            return BenchWork(rows: events, bytes: sum & 1)
        }
    }

    public static func bufferLevel(events: Int) -> BenchCase {
        final class Holder {}
        return BenchCase("recorder: buffer level", parameters: ["events": String(events)], iterations: 7) {
            let session = ProfilingSession(memoryInterval: .seconds(60))
            let observer: any TransferObserver = session.recorder
            let first = Holder(), second = Holder()
            let holders = [ObjectIdentifier(first), ObjectIdentifier(second)]
            withExtendedLifetime((first, second)) {
                for i in 0..<events { observer.bufferLevel(i & 0xFFFF, buffer: holders[i & 1]) }
            }
            return BenchWork(rows: events)
        }
    }

    /// The body of ``measure(events:on:)`` without `measure`: what "off" is compared with.
    public static func directBaseline(events: Int) -> BenchCase {
        BenchCase("recorder: measure", parameters: ["events": String(events), "observer": "baseline"], iterations: 7) {
            var sum = 0
            for i in 0..<events { sum &+= work(i) }
            return BenchWork(rows: events, bytes: sum & 1)
        }
    }

    /// The measured body: not inlinable, so neither loop folds into a formula.
    @inline(never)
    static func work(_ i: Int) -> Int { i & 7 }

    public static func buildProfile(chunks: Int = 5_000) -> BenchCase {
        let events = SyntheticRun(chunks: chunks, parallelism: 4).events()
        return BenchCase("profile: build", parameters: ["events": String(events.count)], iterations: 5) {
            let profile = PhaseProfile(events: events)
            return BenchWork(rows: events.count, bytes: profile.phases.count)
        }
    }

    public static func renderReport(chunks: Int = 2_000) -> BenchCase {
        let events = SyntheticRun(chunks: chunks, parallelism: 4).events()
        let settings = RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 4)
        let system = SystemInfo(cores: 2, memoryBytes: 8 << 30, operatingSystem: "synthetic")
        return BenchCase("report: analyze + render", parameters: ["events": String(events.count)], iterations: 5) {
            let report = AnalysisReport.analyze(events: events, memory: nil, system: system, settings: settings)
            let html = report.html(), json = try report.jsonData()
            return BenchWork(rows: events.count, bytes: html.utf8.count + json.count)
        }
    }
}
