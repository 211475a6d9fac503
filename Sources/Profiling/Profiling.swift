// Profiling: where a transfer's time and memory go, what to change, and the bench harness.
//
// Recording/  PhaseRecorder (a TransferObserver), MemorySampler, MemoryProbe
// Analysis/   PhaseProfile (union-of-intervals timing), BottleneckAnalyzer, StrategyComparison, Recommendation
// Reports/    AnalysisReport: terminal text, JSON, self-contained HTML with inline SVG charts
// Bench/      BenchSuite, BenchResult, BenchComparison and the pure-CPU profiling cases
//
// It depends only on Timing (the observer vocabulary, units, sizes) and Foundation: it never sees
// HTTP, DuckDB or a replication. Commands runs analyze and bench and hands their events here.
