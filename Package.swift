// swift-tools-version: 6.1
// dbduck: replicate Databricks SQL warehouse tables into DuckDB, and analyze the run.
// Dependencies point downward only:
//   dbduck -> Commands -> Replication -> Databricks -> Timing
//                      -> Profiling   -> Timing        (Replication also uses DuckDB, ArrowIPC, Timing)
import PackageDescription

let package = Package(
    name: "dbduck",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "dbduck", targets: ["dbduck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: C libraries
        // DuckDB's C API, from the libduckdb the bootstrap installs (scripts/bootstrap-duckdb).
        .systemLibrary(name: "CDuckDB", pkgConfig: "duckdb"),
        // The Arrow C Data Interface structs, defined once for ArrowIPC and DuckDB.
        .target(name: "CArrowData"),
        // Debian's liblz4 and libzstd, for Arrow IPC body compression and Databricks' LZ4 framing.
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

        // MARK: Libraries
        // The bottom: transfer phases, events and the observer protocol, durations, sizes and byte
        // units, the silent default logger. Every library above shares this vocabulary.
        .target(name: "Timing", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .target(name: "DuckDB", dependencies: ["CDuckDB", "CArrowData"]),
        .target(name: "ArrowIPC", dependencies: [
            "CArrowData", "CLZ4", "CZstd",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "Databricks", dependencies: [
            "ArrowIPC", "Timing",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Test support shared by DatabricksTests, ReplicationTests and CLITests: the emulator launcher.
        .target(name: "DBDuckTesting", dependencies: [
            "Databricks",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        .target(name: "Replication", dependencies: [
            "DuckDB", "ArrowIPC", "Databricks", "Timing",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Recording, analysis, reports and bench cases: it knows transfers only through Timing's
        // observer vocabulary, so it never sees HTTP, DuckDB or a replication.
        .target(name: "Profiling", dependencies: ["Timing"]),
        // What runs replicate, plan, tables, analyze and bench end to end: settings resolution, one
        // entry point that runs a plan, progress display, usage errors and exit statuses.
        .target(name: "Commands", dependencies: [
            "Replication", "Profiling", "Databricks", "DuckDB", "ArrowIPC", "Timing",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The CLI: argument parsing and rendering only; it imports the commands layer alone.
        .executableTarget(name: "dbduck", dependencies: [
            "Commands",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Fuzzer of the parsers of network bytes: Arrow IPC, LZ4 framing, CSV counting
        // (libFuzzer with -DFUZZING via scripts/fuzz; a replay tool otherwise).
        .executableTarget(name: "ArrowIPCFuzz", dependencies: [
            "ArrowIPC", "Databricks", "CArrowData", .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // Arrow decode + DuckDB ingest vs DuckDB's read_parquet (bench/arrow-ingest/run).
        .executableTarget(name: "ArrowIngestBench", dependencies: [
            "ArrowIPC", "DuckDB", .product(name: "NIOCore", package: "swift-nio"),
        ]),

        // MARK: Tests
        .testTarget(name: "DuckDBTests", dependencies: ["DuckDB"]),
        .testTarget(name: "ArrowIPCTests", dependencies: ["ArrowIPC", "DuckDB"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DatabricksTests", dependencies: ["Databricks", "ArrowIPC", "Timing", "DBDuckTesting",
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "InMemoryLogging", package: "swift-log")]),
        .testTarget(name: "ReplicationTests", dependencies: ["Replication", "DuckDB", "Databricks", "Timing", "Commands", "DBDuckTesting"]),
        .testTarget(name: "ProfilingTests", dependencies: [
            "Profiling", "Timing", "Commands", "Databricks", "Replication", "DuckDB", "DBDuckTesting",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CommandsTests", dependencies: [
            "Commands", "Replication", "Profiling", "Timing", "DuckDB", "Databricks", "DBDuckTesting",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CLITests", dependencies: ["DuckDB", "Databricks", "DBDuckTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
