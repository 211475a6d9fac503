/// A measured copy that failed: which run, which table, and the error as it was reported. Nothing
/// is recommended from a failed run: its timings describe a copy that did not finish.
public struct MeasurementFailure: Sendable, Codable, Hashable {
    /// ``configuredRun`` for the run with the user's settings, else the strategy tried.
    public var run: String
    public var table: String
    public var error: String

    /// The name of the run with the user's own settings.
    public static let configuredRun = "configured"

    public init(run: String, table: String, error: String) {
        self.run = run; self.table = table; self.error = error
    }

    public var summary: String {
        "\(table) with \(run == Self.configuredRun ? "your settings" : "strategy \(run)") failed: \(error)"
    }
}
