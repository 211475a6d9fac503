/// What one iteration of a benchmark processed.
public struct BenchWork: Sendable, Hashable {
    public var rows: Int
    public var bytes: Int
    public init(rows: Int = 0, bytes: Int = 0) { self.rows = rows; self.bytes = bytes }
}

/// A named, parameterised piece of work to time. `setUp` runs once before the iterations and is
/// not measured; `body` is one measured iteration.
///
/// ```swift
/// BenchCase("config: load dbduck.yml", parameters: ["tables": "200"], iterations: 20) {
///     _ = try ReplicationConfig(yaml: text)      // the lead's loader, passed in as a closure
///     return BenchWork(rows: 200)
/// }
/// ```
public struct BenchCase: Sendable {
    public var name: String
    public var parameters: [String: String]
    public var iterations: Int
    public var warmup: Int
    public var setUp: (@Sendable () async throws -> Void)?
    public var body: @Sendable () async throws -> BenchWork

    public init(_ name: String, parameters: [String: String] = [:], iterations: Int = 5, warmup: Int = 1,
                setUp: (@Sendable () async throws -> Void)? = nil, body: @escaping @Sendable () async throws -> BenchWork) {
        self.name = name; self.parameters = parameters; self.iterations = max(1, iterations)
        self.warmup = max(0, warmup); self.setUp = setUp; self.body = body
    }

    /// The same case at several sizes: `make(size)` builds the body for one size; the size is
    /// recorded as the `rows` parameter (memory-per-size series use this).
    public static func sized(_ name: String, sizes: [Int], parameters: [String: String] = [:], iterations: Int = 3,
                             warmup: Int = 1, make: @escaping @Sendable (Int) -> @Sendable () async throws -> BenchWork) -> [BenchCase] {
        sizes.map { size in
            var p = parameters
            p["rows"] = String(size)
            return BenchCase(name, parameters: p, iterations: iterations, warmup: warmup, body: make(size))
        }
    }
}
