import Profiling
import Replication
import Timing

extension RunSettings {
    /// The settings a plan runs with, as the profiler records them: what the analyzer reasons
    /// about is exactly what the replicator was given.
    init(recording plan: ReplicationPlan, strategies: Set<String>) {
        let s = plan.settings
        let arrow = strategies.contains("streaming") || strategies.contains("parquet")
        self.init(strategy: strategies.count == 1 ? strategies.first ?? "auto" : "auto",
                  chunkSize: plan.tables.first?.chunkSize ?? TableDefaults().chunkSize,
                  downloadParallelism: s.downloadParallelism, memoryBudgetBytes: s.memoryBudgetBytes,
                  threads: s.target.threads,
                  // The process's memory limit is the machine's: DuckDB's memory_limit bounds its
                  // buffer pool only (listed among the DuckDB settings).
                  memoryLimitBytes: nil, parallelTables: s.parallelTables,
                  format: arrow ? "arrow_stream" : "json_array",
                  compression: arrow ? s.compression.rawValue : "none",
                  targetMemoryLimitBytes: ByteSize.parse(s.target.memoryLimit ?? TargetSettings.defaultMemoryLimit))
    }
}
