import Logging
import Timing

/// What one attempt of a retried operation came to.
enum AttemptOutcome<Value: Sendable>: Sendable {
    case success(Value)
    /// Retry after backoff. `error` is thrown if no attempts remain; `cause` is secret-free.
    case retry(cause: String, retryAfter: Duration?, error: any Error)
}

/// Runs `attempt` until it succeeds, throws, or the policy's attempts are spent. Each pause is
/// reported to the observer as a `.retry` event whose detail is the cause.
func withRetries<Value: Sendable>(
    isolation: isolated (any Actor)? = #isolation,
    policy: RetryPolicy, observer: (any TransferObserver)?, logger: Logger, table: String? = nil,
    operation: String, _ attempt: (_ number: Int) async throws -> AttemptOutcome<Value>
) async throws -> Value {
    var number = 1
    while true {
        try Task.checkCancellation()
        switch try await attempt(number) {
        case .success(let value):
            return value
        case .retry(let cause, let retryAfter, let error):
            guard number < policy.maxAttempts else { throw error }
            let pause = policy.delay(afterAttempt: number, retryAfter: retryAfter)
            logger.debug("retrying", metadata: ["operation": "\(operation)", "attempt": "\(number)", "cause": "\(cause)",
                                                "delay.ms": "\(Int(pause.seconds * 1000))"])
            let start = ContinuousClock.now
            try await Task.sleep(for: pause)
            observer?.record(TransferEvent(phase: .retry, table: table, start: start, duration: start.duration(to: .now),
                                           detail: "\(operation) attempt \(number + 1): \(cause)"))
            number += 1
        }
    }
}
