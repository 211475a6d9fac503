/// Tuning of a ``DatabricksClient``: parallelism, memory, retries, timeouts.
public struct ClientOptions: Sendable {
    /// External-link downloads in flight at once. Cloud storage limits each connection's
    /// bandwidth, so parallel downloads add up; 8 came out best when timing 1 to 16 against the
    /// emulator with per-download throttled storage (its `slow` fault): fewer left bandwidth unused,
    /// more only added contention. Unthrottled loopback is CPU-bound and gains nothing from parallelism.
    public var downloadParallelism: Int
    /// Upper bound on result bytes held by the download pipeline: bytes being downloaded plus
    /// chunks waiting for the consumer. A single chunk larger than this is fetched alone.
    public var memoryBudgetBytes: Int
    public var retry: RetryPolicy
    /// TCP (and TLS) connection establishment.
    public var connectTimeout: Duration
    /// Longest silence while reading a response.
    public var readTimeout: Duration
    /// A download that receives no byte for this long is fetched again once, then fails its table.
    public var stallTimeout: Duration
    /// First delay between status polls of a running statement; grows ×1.5 up to ``maxPollInterval``.
    public var pollInterval: Duration
    public var maxPollInterval: Duration
    /// A link is refreshed through the chunk endpoint when it expires within this margin.
    public var linkRefreshMargin: Duration
    /// Idle keep-alive connections are closed after this long.
    public var idleConnectionTimeout: Duration
    /// Sent as `User-Agent` on every request.
    public var userAgent: String
    /// `max_results` of Unity Catalog list calls; 0 lets the server choose (recommended).
    public var unityCatalogPageSize: Int

    public init(downloadParallelism: Int = 8, memoryBudgetBytes: Int = 256 << 20, retry: RetryPolicy = RetryPolicy(),
                connectTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(60),
                pollInterval: Duration = .milliseconds(100), maxPollInterval: Duration = .seconds(2),
                linkRefreshMargin: Duration = .seconds(60), idleConnectionTimeout: Duration = .seconds(60),
                stallTimeout: Duration = .seconds(120),
                userAgent: String = ClientOptions.defaultUserAgent, unityCatalogPageSize: Int = 0) {
        self.unityCatalogPageSize = max(0, unityCatalogPageSize)
        self.downloadParallelism = max(1, downloadParallelism)
        self.memoryBudgetBytes = max(1, memoryBudgetBytes)
        self.retry = retry
        self.connectTimeout = connectTimeout; self.readTimeout = readTimeout
        self.pollInterval = pollInterval; self.maxPollInterval = maxPollInterval
        self.linkRefreshMargin = linkRefreshMargin; self.idleConnectionTimeout = idleConnectionTimeout
        self.stallTimeout = max(.seconds(1), stallTimeout)
        self.userAgent = userAgent
    }

    /// dbduck's version as the client reports it; the CLI may pass its own string.
    public static let dbduckVersion = "0.1.0"
    public static let defaultUserAgent = "dbduck/\(dbduckVersion)"
}
