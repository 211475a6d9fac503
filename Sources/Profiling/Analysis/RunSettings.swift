/// The settings a run used: the analyzer's rules reason about them and the recommendation changes them.
///
/// Names follow dbduck.yml (`defaults.strategy`, `defaults.chunk_size`,
/// `defaults.download_parallelism`, `defaults.parallel_tables`, `target.threads`,
/// `target.memory_limit`), plus the client's download memory budget.
public struct RunSettings: Sendable, Codable, Hashable {
    /// basic | batch | parquet | streaming (auto resolved to what it chose, when known).
    public var strategy: String
    public var chunkSize: Int
    public var downloadParallelism: Int
    /// The client's download buffer budget (`ClientOptions.memoryBudgetBytes`).
    public var memoryBudgetBytes: Int?
    /// DuckDB's `threads`.
    public var threads: Int?
    /// The memory the process may use, in bytes (nil: the machine's).
    public var memoryLimitBytes: Int?
    /// DuckDB's `memory_limit` on the target (`target.memory_limit` or dbduck's default), in bytes.
    public var targetMemoryLimitBytes: Int?
    public var parallelTables: Int?
    /// Result format on the wire: arrow_stream | json_array | csv.
    public var format: String?
    /// Result compression on the wire: lz4 | none.
    public var compression: String?

    public init(strategy: String, chunkSize: Int, downloadParallelism: Int, memoryBudgetBytes: Int? = nil,
                threads: Int? = nil, memoryLimitBytes: Int? = nil, parallelTables: Int? = nil,
                format: String? = nil, compression: String? = nil, targetMemoryLimitBytes: Int? = nil) {
        self.strategy = strategy; self.chunkSize = chunkSize; self.downloadParallelism = downloadParallelism
        self.memoryBudgetBytes = memoryBudgetBytes; self.threads = threads; self.memoryLimitBytes = memoryLimitBytes
        self.parallelTables = parallelTables; self.format = format; self.compression = compression
        self.targetMemoryLimitBytes = targetMemoryLimitBytes
    }
}
