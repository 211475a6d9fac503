/// What a run does with a table's saved progress, decided by the planner.
public struct ResumePlan: Sendable, Equatable, Codable {
    /// The copy the target holds from an interrupted run, if any.
    public var saved: CopyProgress?
    /// Why the saved copy is thrown away this run (changed settings, `--restart`, …); nil when
    /// there is none or it is used.
    public var discarded: String?

    /// This run's row-shaping settings, saved with its progress for the next run to compare.
    public var shape: RowShape?

    public init(saved: CopyProgress? = nil, discarded: String? = nil, shape: RowShape? = nil) {
        self.saved = saved; self.discarded = discarded; self.shape = shape
    }

    /// The saved copy this run continues; nil: the copy starts from the first row.
    public var from: CopyProgress? { discarded == nil ? saved : nil }

    /// Continue `saved` when this run reads the same source the same way; otherwise say why not.
    /// Checkpoints must be on for a copy to continue: with them off the copy is one transaction.
    static func decide(_ saved: CopyProgress, source: String, shape: RowShape, checkpoints: CheckpointInterval,
                       restart: Bool) -> ResumePlan {
        if restart { return ResumePlan(saved: saved, discarded: "--restart", shape: shape) }
        if saved.source.lowercased() != source.lowercased() {
            return ResumePlan(saved: saved, discarded: "the saved copy is of \(saved.source)", shape: shape)
        }
        if let changed = shape.difference(from: saved.shape) {
            return ResumePlan(saved: saved, discarded: "settings changed: \(changed)", shape: shape)
        }
        if !checkpoints.isOn { return ResumePlan(saved: saved, discarded: "checkpoint_every is 0", shape: shape) }
        return ResumePlan(saved: saved, shape: shape)
    }

    /// One line for `dbduck plan` and the progress log.
    public var summary: String? {
        if let saved = from {
            return "resumes after chunk \(saved.chunksDone) of \(saved.chunks.count): \(saved.rowsDone) of \(saved.totalRows) rows saved, \(saved.rowsLeft) left (\(saved.chunksLeft) chunks)"
        }
        return discarded.map { "saved progress discarded: \($0)" }
    }
}
