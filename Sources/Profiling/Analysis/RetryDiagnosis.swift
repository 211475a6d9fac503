/// What the retries of a run were about, read from their causes as the errors stated them, and
/// the advice that fits: a rejected link, a server error and a reset connection call for
/// different things.
struct RetryDiagnosis {
    enum Kind: CaseIterable {
        case throttled, linkRejected, serverError, connectionReset, timeout, other
    }

    /// The most frequent kind and how many retries it accounts for.
    let kind: Kind
    let count: Int
    /// The first cause of that kind, as the error said it.
    let example: String

    init?(_ causes: [PhaseProfile.RetryCause]) {
        var totals: [Kind: (count: Int, example: String)] = [:]
        for cause in causes {
            let kind = Self.kind(of: cause.detail)
            totals[kind, default: (0, Self.reason(cause.detail))].count += cause.count
        }
        guard let top = Kind.allCases.compactMap({ kind in totals[kind].map { (kind, $0) } }).max(by: { $0.1.count < $1.1.count })
        else { return nil }
        kind = top.0; count = top.1.count; example = top.1.example
    }

    static func kind(of detail: String) -> Kind {
        let text = detail.lowercased()
        if text.contains("429") || text.contains("503") || text.contains("throttl") { return .throttled }
        if text.contains("http 403") || text.contains("http 401") || text.contains("http 400") || text.contains("http 404")
            || text.contains("expired") { return .linkRejected }
        if text.contains("http 5") { return .serverError }
        if text.contains("reset") || text.contains("closed") || text.contains("cut") || text.contains("shorter") { return .connectionReset }
        if text.contains("timeout") || text.contains("stall") { return .timeout }
        return .other
    }

    /// The cause without the "chunk 3 attempt 2: " prefix the retry loop puts before it.
    static func reason(_ detail: String) -> String {
        guard let colon = detail.range(of: ": ") else { return detail }
        return String(detail[colon.upperBound...])
    }

    /// Advice for everything but throttling (whose remedy is a setting change, made by the caller).
    var advice: String {
        switch kind {
        case .throttled:
            "the service is throttling (\(example))"
        case .linkRejected:
            "storage rejected presigned links (\(example)): they had expired or been revoked, and dbduck fetched fresh ones; "
                + "if it recurs, check the clock and any proxy between here and the storage"
        case .serverError:
            "the storage or workspace answered with server errors (\(example)); the fault is on their side, the retries covered it"
        case .connectionReset:
            "connections were cut mid-transfer (\(example)), by the storage or something on the way such as a proxy or firewall"
        case .timeout:
            "transfers stalled until they timed out (\(example)); the storage or the link stopped sending"
        case .other:
            "transient failures (\(example))"
        }
    }
}
