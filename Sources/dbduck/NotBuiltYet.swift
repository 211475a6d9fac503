import ArgumentParser

/// Commands whose implementation has not landed yet say so and exit non-zero.
struct NotBuiltYet: Error, CustomStringConvertible {
    let command: String
    var description: String { "`dbduck \(command)` is not built yet in this version of dbduck." }
}

struct Analyze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Profile a replication phase by phase and recommend settings.")
    func run() async throws { throw NotBuiltYet(command: "analyze") }
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the benchmark suite.")
    func run() async throws { throw NotBuiltYet(command: "bench") }
}
