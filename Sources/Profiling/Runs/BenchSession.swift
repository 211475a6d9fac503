import Databricks
import DuckDB
import Foundation
import Logging
import Replication

/// `dbduck bench`: the whole suite, local cases always, warehouse cases when a source resolves.
public enum BenchSession {
    public static func run(source: SourceSettings, table: String, sizes: String, strategies: String, iterations: Int,
                           filter: String?, localOnly: Bool, logger: Logger,
                           progress: (@Sendable (String) -> Void)? = nil) async throws -> BenchReport {
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
            var input = CommandLineInput()
            input.source = source
            input.tables = [table]
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
