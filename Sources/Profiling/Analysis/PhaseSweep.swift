import Timing

/// One pass over span boundaries that yields, per phase, the union of its spans and its
/// exclusive (critical-path) share, plus pairwise overlap and the idle time.
///
/// Between two consecutive boundaries the set of active phases is constant. That segment counts
/// once toward each active phase's busy time (so overlapping spans of one phase are not double
/// counted), is split evenly among the active phases for the exclusive attribution (so exclusive
/// times add up to the busy wall time), and counts toward every active pair's overlap.
struct PhaseSweep {
    static let phases = TransferPhase.allCases
    var busy = [Double](repeating: 0, count: phases.count)
    var exclusive = [Double](repeating: 0, count: phases.count)
    /// overlap[a * n + b] for a < b.
    var overlap = [Double](repeating: 0, count: phases.count * phases.count)
    var idle = 0.0
    var busyAny = 0.0

    init(_ events: [RecordedEvent]) {
        let n = Self.phases.count
        var index = [TransferPhase: Int]()
        for (i, phase) in Self.phases.enumerated() { index[phase] = i }
        // Boundaries: (time, phase index, +1 start / -1 end). Ends sort before starts at equal
        // times, so back-to-back spans do not register as overlapping.
        var points: [(time: Double, phase: Int, delta: Int)] = []
        points.reserveCapacity(events.count * 2)
        for event in events where event.duration > 0 {
            guard let p = index[event.phase] else { continue }
            points.append((event.start, p, 1))
            points.append((event.end, p, -1))
        }
        points.sort { $0.time != $1.time ? $0.time < $1.time : $0.delta < $1.delta }
        var active = [Int](repeating: 0, count: n)
        var activeCount = 0
        var previous = points.first?.time ?? 0
        for point in points {
            let length = point.time - previous
            // Float noise between boundaries that should coincide (start + duration) is not time.
            if length > 1e-12 {
                if activeCount == 0 {
                    idle += length
                } else {
                    busyAny += length
                    let share = length / Double(activeCount)
                    for a in 0..<n where active[a] > 0 {
                        busy[a] += length
                        exclusive[a] += share
                        for b in (a + 1)..<n where active[b] > 0 { overlap[a * n + b] += length }
                    }
                }
                previous = point.time
            }
            if point.delta > 0 {
                if active[point.phase] == 0 { activeCount += 1 }
                active[point.phase] += 1
            } else {
                active[point.phase] -= 1
                if active[point.phase] == 0 { activeCount -= 1 }
            }
        }
    }
}
