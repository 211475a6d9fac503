import Databricks
import DuckDB
import Foundation
import Logging
import Profiling
import Replication
import Timing

/// `dbduck bench`: the whole suite, local cases always, warehouse cases when a source resolves.
public enum BenchSession {
    public struct Options: Sendable {
        /// The source, and optionally a config whose defaults and target settings the transfers use.
        public var input: CommandLineInput
        public var table = "samples.tpch.lineitem"
        public var sizes = "10000,100000,1000000"
        public var strategies = "basic,batch,parquet,streaming"
        public var iterations = 1
        public var filter: String?
        public var localOnly = false
        public init(input: CommandLineInput) { self.input = input }
    }

    public static func run(_ options: Options, logger: Logger,
                           progress: (@Sendable (String) -> Void)? = nil) async throws -> BenchReport {
        let (table, sizes, strategies, iterations, filter) = (options.table, options.sizes, options.strategies, options.iterations, options.filter)
        let localOnly = options.localOnly
        var suite = BenchSuite(ProfilingBenchCases.all() + TransferBenchCases.local())
        if !localOnly {
            let sizeList = try sizes.split(separator: ",").map { text -> Int in
                guard let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0 else {
                    throw UsageError("--sizes must be positive row counts separated by commas, e.g. 10000,100000; got \"\(text)\".")
                }
                return n
            }
            let strategyList = try strategies.split(separator: ",").map { name -> LoadStrategy in
                guard let s = LoadStrategy(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw UsageError("--strategies takes basic, batch, parquet, streaming; got \"\(name)\".")
                }
                return s
            }
            var input = options.input
            input.tables = [table]
            input.tablesReplaceConfig = true
            do {
                let setup = try RunSetup.resolve(input, requireTarget: false)
                suite.add(TransferBenchCases.remote(setup: setup, table: table, sizes: sizeList, strategies: strategyList,
                                                    iterations: iterations, logger: logger))
            } catch WorkspaceConfigurationError.missingHost {
                // No workspace anywhere (flags, environment, ~/.databrickscfg): the local cases still run.
                progress?("no workspace configured (DATABRICKS_HOST, --host or a profile): running the local cases only")
            }
        }
        let system = SystemInfo.current(duckdbVersion: Database.libraryVersion)
        return try await suite.run(matching: filter, system: system, progress: progress)
    }
}
