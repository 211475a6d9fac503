/// A set of time intervals kept as sorted, disjoint `[start, end)` spans.
public struct IntervalUnion: Sendable, Hashable, Codable {
    /// Disjoint spans in ascending order; touching spans are merged.
    public private(set) var spans: [Span]

    public struct Span: Sendable, Hashable, Codable {
        public var start: Double
        public var end: Double
        public var length: Double { end - start }
        public init(start: Double, end: Double) { self.start = start; self.end = end }
    }

    /// Merges the given spans; empty or inverted ones are dropped.
    public init(_ spans: some Sequence<Span>) {
        let sorted = spans.filter { $0.end > $0.start }.sorted { $0.start < $1.start }
        var merged: [Span] = []
        merged.reserveCapacity(sorted.count)
        for span in sorted {
            if let last = merged.last, span.start <= last.end {
                merged[merged.count - 1].end = max(last.end, span.end)
            } else {
                merged.append(span)
            }
        }
        self.spans = merged
    }

    /// Total covered time: overlapping spans count once.
    public var length: Double { spans.reduce(0) { $0 + $1.length } }

    /// Time covered by both sets.
    public func intersectionLength(with other: IntervalUnion) -> Double {
        var i = 0, j = 0, total = 0.0
        while i < spans.count, j < other.spans.count {
            let a = spans[i], b = other.spans[j]
            total += max(0, min(a.end, b.end) - max(a.start, b.start))
            if a.end < b.end { i += 1 } else { j += 1 }
        }
        return total
    }

    /// The same set with gaps shorter than `gap` closed, for drawing at a bounded number of spans.
    public func coarsened(minimumGap gap: Double) -> IntervalUnion {
        guard gap > 0 else { return self }
        var merged: [Span] = []
        for span in spans {
            if let last = merged.last, span.start - last.end < gap {
                merged[merged.count - 1].end = span.end
            } else {
                merged.append(span)
            }
        }
        var result = self
        result.spans = merged
        return result
    }
}
