import Timing
import Testing
@testable import Profiling

/// A profile recorded live: real tasks report through a ``PhaseRecorder`` as the client and the
/// replicator will. Downloads wait 15 ms each on 2 links; a load does no waiting at all (a sleep of
/// 1 ms took 20 ms and more when the whole test suite shared 2 cores), so the run is download-bound
/// whatever the machine's load.
@Suite struct LivePipelineTests {
    actor Loader {
        let recorder: PhaseRecorder
        private var checksum = 0
        init(recorder: PhaseRecorder) { self.recorder = recorder }
        func load(rows: Int) async throws {
            recorder.measure(.load, table: "live", rows: rows) { checksum = (0..<rows).reduce(checksum, &+) }
        }
    }

    @Test func recordedDownloadBoundRunIsNamedDownloadBound() async throws {
        let session = ProfilingSession(memoryInterval: .milliseconds(5))
        session.start()
        let recorder = session.recorder, loader = Loader(recorder: session.recorder)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for link in 0..<2 {
                group.addTask {
                    for chunk in 0..<6 {
                        try await recorder.measure(.download, table: "live", bytes: 1_000_000, detail: "chunk \(link * 6 + chunk)") {
                            try await Task.sleep(for: .milliseconds(15))
                        }
                        try await loader.load(rows: 10_000)
                    }
                }
            }
            try await group.waitForAll()
        }
        let run = session.stop()
        #expect(run.events.count == 24)
        let profile = PhaseProfile(events: run.events)
        let download = try #require(profile[.download])
        #expect(download.summedSeconds > download.busySeconds)       // parallel links, counted once in wall time
        #expect(profile.rows == 120_000 && profile.bytes == 12_000_000)
        let found = BottleneckAnalyzer().analyze(profile, settings: RunSettings(strategy: "streaming", chunkSize: 100_000, downloadParallelism: 2),
                                                 system: SystemInfo(cores: 2, memoryBytes: 8 << 30, operatingSystem: "test"), memory: run.memory)
        #expect(found.first?.kind == .download)
        #expect(found.first?.summary.hasPrefix("download: ") == true)
    }
}
