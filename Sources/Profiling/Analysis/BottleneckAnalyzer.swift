
/// Names what limits a run, with its share, cause and a concrete setting change, from a
/// ``PhaseProfile``, the settings used, the system and the memory timeline.
///
/// Every phase with at least ``minimumShare`` of the wall time becomes a candidate with a
/// phase-specific rule (see `BottleneckRules`); retries and memory are judged on their own
/// thresholds. The result is ordered: the bottleneck first, then the next one, and so on.
///
/// ```swift
/// let found = BottleneckAnalyzer().analyze(profile, settings: settings, system: system, memory: timeline)
/// print(found.first?.summary ?? "no bottleneck")   // "download: 61% — 2 parallel links saturate ..."
/// ```
public struct BottleneckAnalyzer: Sendable {
    /// Phases below this share of the wall time are not reported.
    public var minimumShare = 0.05
    /// Retries are heavy from this many retries per download span...
    public var retryRatio = 0.05
    /// ...or from this share of the wall time spent in backoff.
    public var retryShare = 0.05
    /// Memory is under pressure from this fraction of its limit.
    public var memoryPressure = 0.8
    /// Untracked (idle) time is reported from this share.
    public var untrackedShare = 0.15
    /// Largest download_parallelism the analyzer recommends.
    public var maximumParallelism = 16

    public init() {}

    public func analyze(_ profile: PhaseProfile, settings: RunSettings, system: SystemInfo,
                        memory: MemoryTimeline? = nil) -> [Bottleneck] {
        let rules = BottleneckRules(profile: profile, settings: settings, system: system, memory: memory,
                                    maximumParallelism: maximumParallelism)
        var timed: [Bottleneck] = []
        for stats in profile.phasesByShare where stats.share >= minimumShare && stats.phase != .retry {
            if let found = rules.bottleneck(for: stats) { timed.append(found) }
        }
        if let retry = rules.retries(minimumRatio: retryRatio, minimumShare: retryShare) { timed.append(retry) }
        if profile.idleShare >= untrackedShare { timed.append(rules.untracked()) }
        timed.sort { $0.share > $1.share }
        // Memory pressure is not a share of time: RSS over its limit comes first (the run risks
        // failing), otherwise right after the main time bottleneck.
        if let (pressure, critical) = rules.memory(threshold: memoryPressure) {
            timed.insert(pressure, at: critical ? 0 : min(1, timed.count))
        }
        return timed
    }
}
