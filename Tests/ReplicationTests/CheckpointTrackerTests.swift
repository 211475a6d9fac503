import Databricks
import Testing
@testable import Replication

/// When a resumable copy checkpoints: every interval of bytes, and under the standard interval also
/// every quarter of a table's rows once enough bytes arrived.
@Suite struct CheckpointTrackerTests {
    /// A copy of `chunks` equal chunks of `rowsPerChunk` rows and `bytesPerChunk` wire bytes each.
    static func progress(chunks: Int, rowsPerChunk: Int64) -> CopyProgress {
        let spans = (0..<chunks).map { ChunkSpan(rowOffset: Int64($0) * rowsPerChunk, rowCount: rowsPerChunk) }
        let shape = RowShape(columns: ResumeSettingsTests.columns, filter: nil, mode: .full, strategy: .streaming, compression: .lz4)
        return CopyProgress(target: "s.t", source: "c.s.t", version: 1, statementID: "01", statementSQL: "SELECT", shape: shape,
                            chunks: spans, totalRows: Int64(chunks) * rowsPerChunk, stagingTable: "_dbduck_resume_t")
    }

    /// The chunks after which `tracker` asks for a checkpoint (each one saved at once).
    static func checkpoints(_ tracker: CheckpointTracker, chunks: Int, rowsPerChunk: Int64, bytesPerChunk: Int) -> [Int] {
        var due: [Int] = []
        for i in 0..<chunks {
            let chunk = ResultChunk(index: i, rowOffset: Int64(i) * rowsPerChunk, rowCount: rowsPerChunk, wireBytes: bytesPerChunk,
                                    payload: .json([]))
            if tracker.loaded(chunk) {
                due.append(i)
                tracker.saved()
            }
        }
        return due
    }

    @Test func theStandardIntervalCheckpointsEveryQuarterOfATableUnderItsByteCount() {
        // 48 chunks of 8MB: 384MB, more than one standard interval but not two.
        let tracker = CheckpointTracker(progress: Self.progress(chunks: 48, rowsPerChunk: 1000), interval: .standard, continuing: false)
        #expect(Self.checkpoints(tracker, chunks: 48, rowsPerChunk: 1000, bytesPerChunk: 8_000_000) == [11, 23, 35])
        #expect(tracker.progress.chunksDone == 48 && tracker.progress.rowsDone == 48_000 && tracker.hasSaved)
    }

    @Test func aLargeTableStillCheckpointsEveryStandardInterval() {
        // 400 chunks of 8MB: 3.2GB, a quarter of which is far more than 256MB.
        let tracker = CheckpointTracker(progress: Self.progress(chunks: 400, rowsPerChunk: 1000), interval: .standard, continuing: false)
        let due = Self.checkpoints(tracker, chunks: 400, rowsPerChunk: 1000, bytesPerChunk: 8_000_000)
        #expect(due.count == 12 && due.first == 31 && zip(due, due.dropFirst()).allSatisfy { $1 - $0 == 32 })
    }

    @Test func aSmallTableNeverCheckpoints() {
        // 40MB in all: a quarter of it is under the smallest share worth a checkpoint.
        let tracker = CheckpointTracker(progress: Self.progress(chunks: 40, rowsPerChunk: 1000), interval: .standard, continuing: false)
        #expect(Self.checkpoints(tracker, chunks: 40, rowsPerChunk: 1000, bytesPerChunk: 1_000_000).isEmpty)
        #expect(!tracker.hasSaved)
    }

    @Test func aChosenIntervalIsKeptExactly() {
        let bytes = CheckpointTracker(progress: Self.progress(chunks: 48, rowsPerChunk: 1000), interval: .bytes(256_000_001),
                                      continuing: false)
        #expect(Self.checkpoints(bytes, chunks: 48, rowsPerChunk: 1000, bytesPerChunk: 8_000_000) == [32])
        let small = CheckpointTracker(progress: Self.progress(chunks: 10, rowsPerChunk: 10), interval: .bytes(3), continuing: false)
        #expect(Self.checkpoints(small, chunks: 10, rowsPerChunk: 10, bytesPerChunk: 1) == [2, 5, 8])
        let off = CheckpointTracker(progress: Self.progress(chunks: 48, rowsPerChunk: 1000), interval: .off, continuing: true)
        #expect(Self.checkpoints(off, chunks: 48, rowsPerChunk: 1000, bytesPerChunk: 8_000_000).isEmpty)
        #expect(off.hasSaved, "a continued copy holds saved progress before any checkpoint")
    }
}
