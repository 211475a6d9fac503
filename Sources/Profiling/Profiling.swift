// Profiling: where a transfer's time and memory go, what to change, and the bench harness.
//
// Recording/  PhaseRecorder (a TransferObserver), MemorySampler, MemoryProbe
// Analysis/   PhaseProfile (union-of-intervals timing), BottleneckAnalyzer, StrategyComparison, Recommendation
// Reports/    AnalysisReport: terminal text, JSON, self-contained HTML with inline SVG charts
// Bench/      BenchSuite, BenchResult, BenchComparison and the pure-CPU profiling cases
//
// The core depends only on Databricks' TransferObserver types and Foundation.
