// Ingest benchmark: an Arrow IPC stream decoded and appended into DuckDB, against
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
    /// Parallel appenders (each its own connection and thread) for the "appender-parallel" path.
    var appenders = 2
    var paths: Set<String> = ["parquet", "appender", "appender-parallel", "scan", "decode"]

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next() ?? ""
            switch flag {
            case "--arrow": arrow = value
            case "--parquet": parquet = value
            case "--piece-mib": pieceBytes = (Int(value) ?? 8) << 20
            case "--runs": runs = Int(value) ?? 2
            case "--appenders": appenders = Int(value) ?? 2
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

/// Reads a file in fixed-size pieces with read(2), straight into a fresh ByteBuffer each (as a
/// download delivers them): one allocation per piece, no intermediate copies.
final class PieceReader {
    let descriptor: Int32
    let size: Int
    init(_ path: String, size: Int) throws {
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw BenchError("cannot open \(path)") }
        self.size = size
    }
    deinit { close(descriptor) }

    func next() -> ByteBuffer? {
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        while buffer.writableBytes > 0 {
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { out in
                max(0, read(descriptor, out.baseAddress, out.count))
            }
            if count == 0 { break }
        }
        return buffer.readableBytes == 0 ? nil : buffer
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

/// Batches handed from the decoding thread to appender threads.
final class BatchQueue: @unchecked Sendable {
    // @unchecked: every access to `batches`/`closed` holds `condition`.
    private let condition = NSCondition()
    private var batches: [RecordBatch] = []
    private var closed = false
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func put(_ batch: RecordBatch) {
        condition.lock(); defer { condition.unlock() }
        while batches.count >= limit { condition.wait() }
        batches.append(batch)
        condition.broadcast()
    }

    func close() { condition.lock(); closed = true; condition.broadcast(); condition.unlock() }

    func take() -> RecordBatch? {
        condition.lock(); defer { condition.unlock() }
        while batches.isEmpty && !closed { condition.wait() }
        if batches.isEmpty { return nil }
        condition.broadcast()
        return batches.removeFirst()
    }
}

final class WorkerResult: @unchecked Sendable {
    // @unchecked: written by one worker thread, read after it joined (the group's wait orders them).
    var rows = 0
    var error: Error?
}

/// Decode on this thread; N threads each append through their own connection and Appender.
func parallelAppenderPath(_ options: Options) throws -> Int {
    let database = try Database()
    let setup = try database.connect()
    let reader = try PieceReader(options.arrow, size: options.pieceBytes)
    var decoder = StreamDecoder()
    var pendingBatches: [RecordBatch] = []
    while decoder.schema == nil, let piece = reader.next() { pendingBatches += try decoder.feed(piece) }
    guard let schema = decoder.schema else { throw BenchError("no schema") }
    try createTable(setup, schema: schema)
    let queue = BatchQueue(limit: options.appenders * 2)
    let group = DispatchGroup()
    let results = (0..<options.appenders).map { _ in WorkerResult() }
    for result in results {
        group.enter()
        Thread.detachNewThread {
            defer { group.leave() }
            do {
                let connection = try database.connect()
                let appender = try connection.appender(table: "lineitem")
                while let batch = queue.take() {
                    let exported = try batch.exportToC()
                    try appender.append(arrowSchema: exported.schemaPointer, arrowArray: exported.arrayPointer)
                    result.rows += batch.length
                }
                try appender.close()
            } catch {
                result.error = error
                while queue.take() != nil {}                      // keep the producer from blocking
            }
        }
    }
    for batch in pendingBatches { queue.put(batch) }
    while let piece = reader.next() { for batch in try decoder.feed(piece) { queue.put(batch) } }
    try decoder.finish()
    queue.close()
    group.wait()
    if let error = results.compactMap(\.error).first { throw error }
    let rows = results.reduce(0) { $0 + $1.rows }
    guard case let .bigint(count)? = try setup.scalar("SELECT count(*) FROM lineitem"), Int(count) == rows else {
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

/// Decode + export only (no DuckDB), on pieces already in memory: our side's time and allocations.
func decodeOnly(_ pieces: [ByteBuffer]) throws -> (rows: Int, batches: Int) {
    var decoder = StreamDecoder()
    var rows = 0, batches = 0
    for piece in pieces {
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
        for path in ["parquet", "appender", "appender-parallel", "scan"] where options.paths.contains(path) {
            var rows = 0
            let before = MallocCounter.now()
            let time = try seconds {
                switch path {
                case "parquet": rows = try parquetPath(options)
                case "appender": rows = try appenderPath(options)
                case "appender-parallel": rows = try parallelAppenderPath(options)
                default: rows = try scanPath(options)
                }
            }
            results[path, default: []].append(time)
            let counts = before.flatMap { b in MallocCounter.now().map { a in
                String(format: "  %llu allocations (DuckDB's included), %.0f MB", a.calls - b.calls, Double(a.bytes - b.bytes) / 1e6) } } ?? ""
            print(String(format: "run %d  %-18@ %8.3f s  %d rows%@", run, path as NSString, time, rows, counts as NSString))
        }
    }
    if options.paths.contains("decode") {
        for pieceBytes in [options.pieceBytes, max(arrowBytes, 1)] {
            let reader = try PieceReader(options.arrow, size: pieceBytes)
            var pieces: [ByteBuffer] = []
            while let piece = reader.next() { pieces.append(piece) }
            let before = MallocCounter.now()
            var outcome = (rows: 0, batches: 0)
            let time = try seconds { outcome = try decodeOnly(pieces) }
            let after = MallocCounter.now()
            let label = pieceBytes == options.pieceBytes ? "\(pieceBytes >> 20) MiB pieces" : "whole stream in one buffer"
            let counts = before.flatMap { b in after.map { a in
                String(format: "%llu allocations, %.1f MB allocated", a.calls - b.calls, Double(a.bytes - b.bytes) / 1e6) } }
                ?? "allocation counts n/a (run via bench/arrow-ingest/run)"
            print(String(format: "decode+export only (%@, input already in memory): %.3f s, %d batches, %d rows, %@ (stream %.1f MB)",
                         label as NSString, time, outcome.batches, outcome.rows, counts as NSString, Double(arrowBytes) / 1e6))
        }
    }
    func best(_ path: String) -> Double? { results[path]?.min() }
    if let parquet = best("parquet") {
        if let appender = best("appender") { print(String(format: "ratio appender/parquet (best of %d): %.2f", options.runs, appender / parquet)) }
        if let parallel = best("appender-parallel") {
            print(String(format: "ratio appender-parallel (%d appenders)/parquet (best of %d): %.2f", options.appenders, options.runs, parallel / parquet))
        }
        if let scan = best("scan") { print(String(format: "ratio arrow_scan/parquet (best of %d): %.2f", options.runs, scan / parquet)) }
    }
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
