import Timing

extension PhaseProfile {
    /// Profiles `events` (all of them, whatever their table) and labels the result `table`.
    /// - Parameter buckets: number of throughput slices over the elapsed time.
    public init(events: [RecordedEvent], table: String? = nil, buckets: Int = 40) {
        let start = events.map(\.start).min() ?? 0
        let end = events.map(\.end).max() ?? start
        let elapsed = end - start
        let sweep = PhaseSweep(events)
        let all = PhaseSweep.phases
        var stats: [PhaseStats] = []
        for (i, phase) in all.enumerated() {
            let own = events.filter { $0.phase == phase }
            guard !own.isEmpty else { continue }
            let union = IntervalUnion(own.map { IntervalUnion.Span(start: $0.start, end: $0.end) })
            stats.append(PhaseStats(
                phase: phase, events: own.count, busySeconds: sweep.busy[i],
                summedSeconds: own.reduce(0) { $0 + $1.duration }, exclusiveSeconds: sweep.exclusive[i],
                share: elapsed > 0 ? sweep.exclusive[i] / elapsed : 0,
                bytes: own.reduce(0) { $0 + $1.bytes }, rows: own.reduce(0) { $0 + $1.rows },
                spans: union.coarsened(minimumGap: elapsed / 400).spans))
        }
        var overlaps: [PhaseOverlap] = []
        for a in 0..<all.count {
            for b in (a + 1)..<all.count where sweep.overlap[a * all.count + b] > 0 {
                overlaps.append(PhaseOverlap(first: all[a], second: all[b], seconds: sweep.overlap[a * all.count + b]))
            }
        }
        overlaps.sort { $0.seconds > $1.seconds }
        let rowsPhase = stats.first { $0.phase == .load && $0.rows > 0 } ?? stats.first { $0.phase == .decode && $0.rows > 0 }
        let bytesPhase = stats.first { $0.phase == .download && $0.bytes > 0 }
        self.init(table: table, start: start, end: end, busySeconds: sweep.busyAny, idleSeconds: sweep.idle,
                  phases: stats, overlaps: overlaps,
                  rows: rowsPhase?.rows ?? stats.map(\.rows).max() ?? 0,
                  bytes: bytesPhase?.bytes ?? stats.map(\.bytes).max() ?? 0,
                  throughput: Self.buckets(events, start: start, end: end, count: buckets,
                                           rowsPhase: rowsPhase?.phase ?? .load),
                  retryCauses: Self.retryCauses(events))
    }

    /// One profile per table, in order of first activity. Events without a table are left out.
    public static func perTable(_ events: [RecordedEvent], buckets: Int = 40) -> [PhaseProfile] {
        var groups: [String: [RecordedEvent]] = [:]
        for event in events { if let table = event.table { groups[table, default: []].append(event) } }
        return groups.map { PhaseProfile(events: $0.value, table: $0.key, buckets: buckets) }
            .sorted { $0.start != $1.start ? $0.start < $1.start : ($0.table ?? "") < ($1.table ?? "") }
    }

    private static func retryCauses(_ events: [RecordedEvent]) -> [RetryCause] {
        var counts: [String: Int] = [:]
        for event in events where event.phase == .retry { counts[event.detail ?? "unspecified", default: 0] += 1 }
        return counts.map { RetryCause(detail: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.detail < $1.detail }
    }

    /// Spreads each download span's bytes and each rows-phase span's rows evenly over its duration.
    private static func buckets(_ events: [RecordedEvent], start: Double, end: Double, count: Int,
                                rowsPhase: TransferPhase) -> [ThroughputBucket] {
        let elapsed = end - start
        guard elapsed > 0, count > 0 else { return [] }
        let width = elapsed / Double(count)
        var result = (0..<count).map {
            ThroughputBucket(start: start + Double($0) * width, width: width, downloadBytes: 0, rows: 0)
        }
        func bucketIndex(_ time: Double) -> Int { min(count - 1, max(0, Int((time - start) / width))) }
        for event in events where event.phase == .download || event.phase == rowsPhase {
            let isDownload = event.phase == .download
            let amount = Double(isDownload ? event.bytes : event.rows)
            guard amount > 0 else { continue }
            guard event.duration > 0 else {
                let i = bucketIndex(event.start)
                if isDownload { result[i].downloadBytes += amount } else { result[i].rows += amount }
                continue
            }
            for i in bucketIndex(event.start)...bucketIndex(event.end) {
                let lo = max(event.start, result[i].start), hi = min(event.end, result[i].start + width)
                guard hi > lo else { continue }
                let part = amount * (hi - lo) / event.duration
                if isDownload { result[i].downloadBytes += part } else { result[i].rows += part }
            }
        }
        return result
    }
}
