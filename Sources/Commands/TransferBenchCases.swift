import ArrowIPC
import Databricks
import Foundation
import Logging
import NIOCore
import Profiling
import Replication
import Timing
import Timing

/// The benchmark cases that need dbduck's own pipeline: config loading, type mapping, Arrow
/// decoding of a real chunk, and whole transfers per strategy at several sizes (whose peak memory
/// gives the memory-per-size series).
public enum TransferBenchCases {
    /// Pure-CPU cases: no warehouse needed.
    public static func local() -> [BenchCase] {
        [configLoading(tables: 200), typeMapping(columns: 10_000)]
    }

    public static func configLoading(tables: Int) -> BenchCase {
        let yaml = "source: { profile: DEFAULT }\ntarget: { path: a.duckdb }\n"
            + "defaults: { strategy: auto, chunk_size: 100000, retries: { max: 5 } }\ntables:\n"
            + (0..<tables).map { "  - name: main.s\($0 % 7).t\($0)\n    columns: [a, b, c]\n    where: \"a > \($0)\"\n" }.joined()
        return BenchCase("config: parse and validate dbduck.yml", parameters: ["tables": "\(tables)"], iterations: 20) {
            let config = try ConfigLoader.parse(yaml)
            return BenchWork(rows: config.tables.count, bytes: yaml.utf8.count)
        }
    }

    public static func typeMapping(columns: Int) -> BenchCase {
        let texts = ["BIGINT", "DECIMAL(18,2)", "STRING", "TIMESTAMP", "ARRAY<STRUCT<k: STRING, v: MAP<STRING, BIGINT>>>",
                     "STRUCT<name: STRING, value: DOUBLE, tags: ARRAY<STRING>>", "DATE", "MAP<STRING, INT>"]
        return BenchCase("schema: parse and map type_text", parameters: ["columns": "\(columns)"], iterations: 10) {
            var mapped = 0
            for i in 0..<columns { mapped += TypeMapping.duckDBType(try DatabricksType(parsing: texts[i % texts.count])).count }
            return BenchWork(rows: columns, bytes: mapped)
        }
    }

    /// Cases against the warehouse: Arrow decode of the table's first chunk, and transfers of
    /// `sizes` rows per strategy (`basic` at the smallest size only: it is the slow baseline).
    public static func remote(setup: RunSetup, table: String, sizes: [Int], strategies: [LoadStrategy],
                              iterations: Int, logger: Logger) -> [BenchCase] {
        var cases: [BenchCase] = [arrowDecode(setup: setup, table: table, logger: logger)]
        for strategy in strategies {
            let strategySizes = strategy == .basic ? Array(sizes.sorted().prefix(1)) : sizes
            cases += BenchCase.sized("transfer", sizes: strategySizes, parameters: ["strategy": strategy.rawValue, "table": table],
                                     iterations: iterations, warmup: 0) { size in
                { try await transfer(setup: setup, table: table, rows: size, strategy: strategy, logger: logger) }
            }
        }
        // The profiler's own cost: the same streaming transfer with a recorder attached and without.
        if let size = sizes.sorted().last {
            for profiled in [false, true] {
                cases.append(BenchCase("transfer profiler", parameters: ["profiler": profiled ? "on" : "off", "rows": "\(size)", "table": table],
                                       iterations: max(iterations, 3), warmup: 1) {
                    try await transfer(setup: setup, table: table, rows: size, strategy: .streaming,
                                       observer: profiled ? PhaseRecorder() : nil, logger: logger)
                })
            }
        }
        return cases
    }

    static func arrowDecode(setup: RunSetup, table: String, logger: Logger) -> BenchCase {
        let chunk = ChunkBox()
        return BenchCase("arrow: decode one chunk", parameters: ["table": table], iterations: 10, setUp: {
            guard let name = TableName(parsing: table) else { throw UsageError("bench --table must be catalog.schema.table") }
            let client = try DatabricksClient(workspace: setup.workspace, options: ReplicationSettings(setup.config).clientOptions,
                                              logger: logger)
            try await Session.withShutdown(client) {
                let result = try await client.execute(StatementRequest("SELECT * FROM \(name.quoted) LIMIT 122880", disposition: .externalLinks,
                                                                       format: .arrowStream, compression: .lz4Frame))
                for try await piece in client.chunks(of: result) {
                    if let bytes = piece.arrowStreamBytes { chunk.set(bytes); break }
                }
            }
        }) {
            guard let bytes = chunk.get() else { return BenchWork() }
            let (_, batches) = try StreamDecoder.decodeAll(bytes)
            return BenchWork(rows: batches.reduce(0) { $0 + $1.length }, bytes: bytes.readableBytes)
        }
    }

    /// One replication of `rows` rows of `table` into a fresh scratch file.
    static func transfer(setup: RunSetup, table: String, rows: Int, strategy: LoadStrategy,
                         observer: (any TransferObserver)? = nil, logger: Logger) async throws -> BenchWork {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var setup = setup
        setup.config.tables = [TableSelection(name: table, strategy: .fixed(strategy))]
        var plan = try await Session.plan(setup, targetPath: scratch.path("bench.duckdb"), logger: logger)
        for i in plan.tables.indices { plan.tables[i].sample(Int64(rows)) }
        let summary = try await Session.run(plan, workspace: setup.workspace, observer: observer, logger: logger)
        guard summary.succeeded else { throw UsageError("bench transfer failed: \(summary.text)") }
        return BenchWork(rows: Int(summary.tables.reduce(0) { $0 + $1.rows }), bytes: Int(summary.tables.reduce(0) { $0 + $1.bytes }))
    }
}

/// Holds the chunk fetched in a case's set-up for its iterations.
final class ChunkBox: @unchecked Sendable {
    // @unchecked Sendable: `bytes` is only touched under `lock`.
    private let lock = NSLock()
    private var bytes: ByteBuffer?
    func set(_ value: ByteBuffer) { lock.lock(); bytes = value; lock.unlock() }
    func get() -> ByteBuffer? { lock.lock(); defer { lock.unlock() }; return bytes }
}
