// Ingest benchmark (issue 4 item 7): an Arrow IPC stream decoded and appended into DuckDB, against
// DuckDB's own `CREATE TABLE AS SELECT * FROM read_parquet(...)` of the same rows, same process.
//
//   ArrowIngestBench --arrow lineitem.arrows --parquet lineitem.parquet [--piece-mib 8] [--runs 2]
//
// bench/arrow-ingest/run generates the data and runs this under a malloc counter (LD_PRELOAD) so
// the allocation counts of the decode phase can be reported; without it, counts print as n/a.
import ArrowIPC
import DuckDB
import Foundation
import NIOCore

struct Options {
    var arrow = "/tmp/dbduck-bench/lineitem.arrows"
    var parquet = "/tmp/dbduck-bench/lineitem.parquet"
    var pieceBytes = 8 << 20
    var runs = 2
    var paths: Set<String> = ["parquet", "appender", "scan", "decode"]

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--arrow": arrow = value
            case "--parquet": parquet = value
            case "--piece-mib": pieceBytes = (Int(value) ?? 8) << 20
            case "--runs": runs = Int(value) ?? 2
            case "--paths": paths = Set(value.split(separator: ",").map(String.init))
            default: print("unknown flag \(flag)"); exit(2)
            }
        }
    }
}

/// Counters from bench/arrow-ingest/malloc_count.c when it is preloaded.
enum MallocCounter {
    typealias Stats = @convention(c) (UnsafeMutablePointer<UInt64>?) -> Void
    static let stats: Stats? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "dbduck_malloc_stats") else { return nil }
        return unsafeBitCast(symbol, to: Stats.self)
    }()

    /// (allocation calls, bytes requested) so far.
    static func now() -> (calls: UInt64, bytes: UInt64)? {
        guard let stats else { return nil }
        var values: [UInt64] = [0, 0]
        values.withUnsafeMutableBufferPointer { stats($0.baseAddress) }
        return (values[0], values[1])
    }
}

/// Reads a file in fixed-size pieces, each in its own ByteBuffer (as a download delivers them).
struct PieceReader {
    let handle: FileHandle
    let size: Int
    init(_ path: String, size: Int) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw BenchError("cannot open \(path)") }
        self.handle = handle; self.size = size
    }
    func next() -> ByteBuffer? {
        let data = handle.readData(ofLength: size)
        return data.isEmpty ? nil : ByteBuffer(bytes: data)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func createTable(_ connection: Connection, schema: ArrowSchemaDescription) throws {
    let exported = schema.exportToC()
    let columns = try connection.logicalTypes(forArrowSchema: exported.schemaPointer)
    try connection.execute("CREATE TABLE lineitem (" + columns.map { "\(quoteIdentifier($0.name)) \($0.type)" }.joined(separator: ", ") + ")")
}

/// Decode + append through duckdb_data_chunk_from_arrow (Appender.append(arrowSchema:arrowArray:)).
func appenderPath(_ options: Options) throws -> Int {
    let database = try Database()
    let connection = try database.connect()
    let reader = try PieceReader(options.arrow, size: options.pieceBytes)
    var decoder = StreamDecoder()
    var appender: Appender?
    var rows = 0
    while let piece = reader.next() {
        for batch in try decoder.feed(piece) {
            if appender == nil {
                try createTable(connection, schema: batch.schema)
                appender = try connection.appender(table: "lineitem")
            }
            let exported = try batch.exportToC()
            try appender?.append(arrowSchema: exported.schemaPointer, arrowArray: exported.arrayPointer)
            rows += batch.length
        }
    }
    try decoder.finish()
    try appender?.close()
    guard case let .bigint(count)? = try connection.scalar("SELECT count(*) FROM lineitem"), Int(count) == rows else {
        throw BenchError("row count mismatch")
    }
    return rows
}

/// Decode + duckdb_arrow_scan + INSERT INTO ... SELECT.
func scanPath(_ options: Options) throws -> Int {
    let database = try Database()
    let connection = try database.connect()
    let reader = try PieceReader(options.arrow, size: options.pieceBytes)
    var decoder = StreamDecoder()
    var ready: [RecordBatch] = []
    // Read until the schema is known.
    while decoder.schema == nil, let piece = reader.next() { ready += try decoder.feed(piece) }
    guard let schema = decoder.schema else { throw BenchError("no schema") }
    try createTable(connection, schema: schema)
    var rows = 0
    var failure: Error?
    let source = ArrowStreamSource(schema: { out in
        let exported = schema.exportToC()
        out.pointee = exported.schemaPointer.pointee
        exported.schemaPointer.pointee.release = nil                // moved to DuckDB
    }, next: { out in
        do {
            while ready.isEmpty {
                guard let piece = reader.next() else { try decoder.finish(); return false }
                ready += try decoder.feed(piece)
            }
            let batch = ready.removeFirst()
            rows += batch.length
            let exported = try batch.exportToC()
            out.pointee = exported.arrayPointer.pointee
            exported.arrayPointer.pointee.release = nil             // moved to DuckDB
            return true
        } catch { failure = error; return false }
    })
    try connection.insertByArrowScan(into: "lineitem", source: source)
    if let failure { throw failure }
    guard case let .bigint(count)? = try connection.scalar("SELECT count(*) FROM lineitem"), Int(count) == rows else {
        throw BenchError("row count mismatch")
    }
    return rows
}

func parquetPath(_ options: Options) throws -> Int {
    let database = try Database()
    let connection = try database.connect()
    try connection.execute("CREATE TABLE lineitem AS SELECT * FROM read_parquet(\(quoteLiteral(options.parquet)))")
    guard case let .bigint(count)? = try connection.scalar("SELECT count(*) FROM lineitem") else { throw BenchError("no count") }
    return Int(count)
}

/// Decode + export only (no DuckDB): allocation calls and bytes of our side alone.
func decodeOnly(_ options: Options, pieceBytes: Int) throws -> (rows: Int, batches: Int) {
    let reader = try PieceReader(options.arrow, size: pieceBytes)
    var decoder = StreamDecoder()
    var rows = 0, batches = 0
    while let piece = reader.next() {
        for batch in try decoder.feed(piece) {
            let exported = try batch.exportToC()
            rows += Int(exported.arrayPointer.pointee.length)
            batches += 1
        }
    }
    try decoder.finish()
    return (rows, batches)
}

let options = Options(CommandLine.arguments)
let arrowBytes = (try? FileManager.default.attributesOfItem(atPath: options.arrow)[.size] as? Int) ?? 0
print("arrow stream \(options.arrow): \(arrowBytes) bytes; parquet \(options.parquet); pieces of \(options.pieceBytes >> 20) MiB; DuckDB threads default (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
do {
    var results: [String: [Double]] = [:]
    for run in 1...options.runs {
        for path in ["parquet", "appender", "scan"] where options.paths.contains(path) {
            var rows = 0
            let time = try seconds {
                switch path {
                case "parquet": rows = try parquetPath(options)
                case "appender": rows = try appenderPath(options)
                default: rows = try scanPath(options)
                }
            }
            results[path, default: []].append(time)
            print(String(format: "run %d  %-8@ %8.3f s  %d rows", run, path as NSString, time, rows))
        }
    }
    if options.paths.contains("decode") {
        for pieces in [options.pieceBytes, Int.max / 2] {
            let before = MallocCounter.now()
            var outcome = (rows: 0, batches: 0)
            let time = try seconds { outcome = try decodeOnly(options, pieceBytes: pieces == Int.max / 2 ? max(arrowBytes, 1) : pieces) }
            let after = MallocCounter.now()
            let label = pieces == Int.max / 2 ? "whole file in one buffer" : "\(pieces >> 20) MiB pieces"
            if let before, let after {
                print(String(format: "decode+export only (%@): %.3f s, %d batches, %llu allocations, %.1f MB allocated (stream %.1f MB; includes the input pieces)",
                             label as NSString, time, outcome.batches, after.calls - before.calls,
                             Double(after.bytes - before.bytes) / 1e6, Double(arrowBytes) / 1e6))
            } else {
                print(String(format: "decode+export only (%@): %.3f s, %d batches (allocation counts n/a: run via bench/arrow-ingest/run)",
                             label as NSString, time, outcome.batches))
            }
        }
    }
    func best(_ path: String) -> Double? { results[path]?.min() }
    if let parquet = best("parquet") {
        if let appender = best("appender") { print(String(format: "ratio appender/parquet (best of %d): %.2f", options.runs, appender / parquet)) }
        if let scan = best("scan") { print(String(format: "ratio arrow_scan/parquet (best of %d): %.2f", options.runs, scan / parquet)) }
    }
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
