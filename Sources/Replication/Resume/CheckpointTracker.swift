import Databricks
import Foundation

/// Counts what a resumable copy has loaded since its last checkpoint and says when the next one is
/// due. It never asks for one after the last chunk: the final commit saves everything anyway.
final class CheckpointTracker {
    private(set) var progress: CopyProgress
    let interval: CheckpointInterval
    private let chunkCount: Int
    private var bytesSince: Int64 = 0
    private var since = ContinuousClock.now
    /// The target holds progress of this copy: it continues a saved one, or a checkpoint committed.
    private(set) var hasSaved: Bool

    init(progress: CopyProgress, interval: CheckpointInterval, continuing: Bool) {
        self.progress = progress
        self.interval = interval
        chunkCount = progress.chunks.count
        hasSaved = continuing
    }

    /// Notes a chunk loaded into the current transaction; true when a checkpoint is due now.
    func loaded(_ chunk: ResultChunk) -> Bool {
        progress.chunksDone = chunk.index + 1
        progress.rowsDone += chunk.rowCount
        progress.bytesDone += Int64(chunk.wireBytes)
        bytesSince += Int64(chunk.wireBytes)
        guard chunk.index + 1 < chunkCount else { return false }
        switch interval {
        case .off: return false
        case .bytes(let limit): return bytesSince >= Int64(limit)
        case .seconds(let seconds): return since.duration(to: .now) >= .milliseconds(Int64(seconds * 1000))
        }
    }

    /// The progress to save now, stamped.
    var checkpointProgress: CopyProgress {
        var stamped = progress
        stamped.updatedAt = Date()
        return stamped
    }

    /// A checkpoint committed.
    func saved() {
        bytesSince = 0
        since = .now
        hasSaved = true
    }
}
