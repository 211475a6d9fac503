import Timing
/// Exponential backoff with full jitter, capped, honouring `Retry-After`.
///
/// Attempt *n* (1-based) that failed waits a uniformly random time in `0 ..< min(maxDelay,
/// baseDelay · 2^(n-1))`; a `Retry-After` from the server raises that to at least its value
/// (capped by ``maxRetryAfter``).
public struct RetryPolicy: Sendable, Equatable {
    /// Total tries including the first; 1 disables retries.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// Longest `Retry-After` honoured; larger values are clamped to it.
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(10),
                maxRetryAfter: Duration = .seconds(60)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay; self.maxDelay = maxDelay; self.maxRetryAfter = maxRetryAfter
    }

    /// The pause before the next attempt after `attempt` tries failed.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, retryAfter: retryAfter, using: &generator)
    }

    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, using generator: inout some RandomNumberGenerator)
        -> Duration
    {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        let ceilingSeconds = max(ceiling.seconds, 0)
        let jitter = ceilingSeconds > 0 ? Double.random(in: 0..<ceilingSeconds, using: &generator) : 0
        var seconds = jitter
        if let retryAfter {
            seconds = max(seconds, min(retryAfter, maxRetryAfter).seconds)
        }
        return .nanoseconds(Int64(seconds * 1_000_000_000))
    }
}
