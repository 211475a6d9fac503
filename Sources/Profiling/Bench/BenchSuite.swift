import Timing
/// Runs benchmark cases one after another and collects a ``BenchReport``.
///
/// Each case: optional `setUp`, `warmup` unmeasured iterations, then `iterations` timed ones
/// (median, min, max). Memory is sampled during the measured iterations by a ``MemorySampler``
/// (and the kernel's peak, reset before the case where the system allows). In one process,
/// `peakRSSGrowthBytes` is the per-case figure; run memory-per-size series in fresh processes
/// when absolute peaks must be compared.
///
/// ```swift
/// var suite = BenchSuite(ProfilingBenchCases.all())
/// suite.add(BenchCase("config: load dbduck.yml") { try load(); return BenchWork(rows: 1) })
/// let report = try await suite.run(matching: "recorder") { print($0) }
/// print(report.table()); try report.save(to: "bench.json")
/// ```
public struct BenchSuite: Sendable {
    public var cases: [BenchCase]
    /// Sampling interval for peak memory.
    public var memoryInterval: Duration = .milliseconds(5)

    public init(_ cases: [BenchCase] = []) { self.cases = cases }

    public mutating func add(_ benchCase: BenchCase) { cases.append(benchCase) }
    public mutating func add(_ more: [BenchCase]) { cases += more }

    /// Runs the cases whose key contains `filter` (all when nil), reporting progress lines.
    public func run(matching filter: String? = nil, system: SystemInfo? = nil,
                    progress: (@Sendable (String) -> Void)? = nil) async throws -> BenchReport {
        var results: [BenchResult] = []
        for benchCase in cases {
            let probe = BenchResult(name: benchCase.name, parameters: benchCase.parameters, iterations: 0, seconds: 0)
            if let filter, !probe.key.localizedLowercase.contains(filter.localizedLowercase) { continue }
            progress?("bench: \(probe.key)")
            let result = try await measure(benchCase)
            progress?("bench: \(probe.key): \(Units.seconds(result.seconds)) median of \(result.iterations)")
            results.append(result)
        }
        return BenchReport(system: system, results: results)
    }

    /// Times one case.
    public func measure(_ benchCase: BenchCase) async throws -> BenchResult {
        try await benchCase.setUp?()
        for _ in 0..<benchCase.warmup { _ = try await benchCase.body() }
        // Hand memory freed by earlier cases back to the kernel, so this case's baseline and
        // peak RSS are its own rather than what malloc kept from before.
        MemoryProbe.releaseFreedMemory()
        let sampler = MemorySampler(interval: memoryInterval)
        sampler.start()
        var times: [Double] = []
        var work = BenchWork()
        do {
            for _ in 0..<benchCase.iterations {
                let start = ContinuousClock.now
                work = try await benchCase.body()
                times.append((ContinuousClock.now - start).seconds)
            }
        } catch {
            _ = sampler.stop()
            throw error
        }
        let memory = sampler.stop()
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        let measured = memory.peakResidentBytes > 0
        return BenchResult(name: benchCase.name, parameters: benchCase.parameters, iterations: times.count,
                           seconds: median, minSeconds: times.first, maxSeconds: times.last, rows: work.rows, bytes: work.bytes,
                           peakRSSBytes: measured ? memory.peakResidentBytes : nil,
                           peakRSSGrowthBytes: measured ? memory.peakGrowthBytes : nil)
    }
}
