// swift-tools-version: 6.1
// dbduck: replicate Databricks SQL warehouse tables into DuckDB, and analyze the run.
// Dependencies point downward only: dbduck -> Profiling -> Replication -> Databricks/ArrowIPC/DuckDB.
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
        .target(name: "DuckDB", dependencies: ["CDuckDB", "CArrowData"]),
        .target(name: "ArrowIPC", dependencies: [
            "CArrowData", "CLZ4", "CZstd",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .target(name: "Databricks", dependencies: [
            "ArrowIPC",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
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
            "DuckDB", "ArrowIPC", "Databricks",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The profiler needs only the TransferObserver types, so Replication (or the CLI) can use it.
        .target(name: "Profiling", dependencies: [
            "Replication", "Databricks", "DuckDB", "ArrowIPC",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "dbduck", dependencies: [
            "Profiling", "Replication", "Databricks", "DuckDB",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
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
        .testTarget(name: "DatabricksTests", dependencies: ["Databricks", "ArrowIPC", "DBDuckTesting",
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "InMemoryLogging", package: "swift-log")]),
        .testTarget(name: "ReplicationTests", dependencies: ["Replication", "DuckDB", "Databricks", "DBDuckTesting"]),
        .testTarget(name: "ProfilingTests", dependencies: [
            "Profiling", "Databricks", "Replication", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CLITests", dependencies: ["DuckDB", "DBDuckTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
