import Databricks
import Foundation

/// Counts what a resumable copy has loaded since its last checkpoint and says when the next one is
/// due. It never asks for one after the last chunk: the final commit saves everything anyway.
///
/// The standard interval also scales with the table: a checkpoint is due after a quarter of the
/// result's rows as well (once at least ``smallestShare`` bytes arrived), so an interruption of a
/// table a few times the size of the interval loses at most about a quarter of it, not most of it.
/// Each checkpoint ends one parallel INSERT and commits; many of them make the copy slower and its
/// file larger, so a few per table cost an uninterrupted copy little and bound what an interruption loses.
final class CheckpointTracker {
    /// Parts of a table the standard interval checkpoints at, at most.
    static let shares: Int64 = 4
    /// Bytes received under which a share of the rows is too small to checkpoint for.
    static let smallestShare: Int64 = 64_000_000

    private(set) var progress: CopyProgress
    let interval: CheckpointInterval
    private let chunkCount: Int
    /// Rows after which the standard interval checkpoints even under its byte count; nil: bytes only.
    let rowShare: Int64?
    private var bytesSince: Int64 = 0
    private var rowsSince: Int64 = 0
    private var since = ContinuousClock.now
    /// The target holds progress of this copy: it continues a saved one, or a checkpoint committed.
    private(set) var hasSaved: Bool

    init(progress: CopyProgress, interval: CheckpointInterval, continuing: Bool) {
        self.progress = progress
        self.interval = interval
        chunkCount = progress.chunks.count
        rowShare = interval == .standard && progress.totalRows > 0 ? max(1, progress.totalRows / Self.shares) : nil
        hasSaved = continuing
    }

    /// Notes a chunk loaded into the current transaction; true when a checkpoint is due now.
    func loaded(_ chunk: ResultChunk) -> Bool {
        progress.chunksDone = chunk.index + 1
        progress.rowsDone += chunk.rowCount
        progress.bytesDone += Int64(chunk.wireBytes)
        bytesSince += Int64(chunk.wireBytes)
        rowsSince += chunk.rowCount
        guard chunk.index + 1 < chunkCount else { return false }
        switch interval {
        case .off: return false
        case .bytes(let limit):
            if bytesSince >= Int64(limit) { return true }
            guard let rowShare else { return false }
            return rowsSince >= rowShare && bytesSince >= Self.smallestShare
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
        rowsSince = 0
        since = .now
        hasSaved = true
    }
}
