internal import CDuckDB
public import CArrowData

/// The other Arrow ingest path DuckDB's C API offers: `duckdb_arrow_scan` over an Arrow C stream,
/// then `INSERT INTO table SELECT * FROM` the view it creates.
///
/// Measured (bench/arrow-ingest, 6M lineitem rows, 2 cores): the fastest path, because DuckDB
/// converts and inserts on all its threads, while one ``Appender`` uses one. The catch: DuckDB
/// pulls batches by calling `next` on its own threads, inside the INSERT, so a producer fed by an
/// async download must hand batches over through a blocking queue. `next` is called by one thread
/// at a time (DuckDB serialises stream access). Insertion order follows the stream.
public final class ArrowStreamSource {
    /// Moves a fresh schema into `out` (the consumer releases it).
    let schema: (UnsafeMutablePointer<ArrowSchema>) -> Void
    /// Moves the next batch into `out` and returns true, or returns false at the end.
    let next: (UnsafeMutablePointer<ArrowArray>) -> Bool

    public init(schema: @escaping (UnsafeMutablePointer<ArrowSchema>) -> Void,
                next: @escaping (UnsafeMutablePointer<ArrowArray>) -> Bool) {
        self.schema = schema; self.next = next
    }
}

// duckdb_arrow_scan is deprecated in duckdb.h, hidden unless DUCKDB_API_ALLOW_DEPRECATED, but still
// exported by libduckdb 2.0.1. Declared here with C-compatible argument types (pointers, a 32-bit
// enum result) so the comparison can be measured without changing the shared CDuckDB shim.
@_silgen_name("duckdb_arrow_scan")
func deprecatedArrowScan(_ connection: duckdb_connection?, _ table: UnsafePointer<CChar>?,
                                 _ stream: UnsafeMutableRawPointer?) -> UInt32

extension Connection {
    /// Inserts every batch of `source` into `table` through `duckdb_arrow_scan` (see ``ArrowStreamSource``).
    public func insertByArrowScan(into table: String, source: ArrowStreamSource) throws(DatabaseError) {
        let stream = UnsafeMutablePointer<ArrowArrayStream>.allocate(capacity: 1)
        defer {
            if let release = stream.pointee.release { release(stream) }
            stream.deallocate()
        }
        stream.initialize(to: ArrowArrayStream(get_schema: streamGetSchema, get_next: streamGetNext,
                                               get_last_error: streamLastError, release: streamRelease,
                                               private_data: Unmanaged.passRetained(source).toOpaque()))
        let view = "dbduck_arrow_scan_\(UInt64.random(in: 0...UInt64.max))"
        guard deprecatedArrowScan(handle, view, UnsafeMutableRawPointer(stream)) == DuckDBSuccess.rawValue else {
            throw DatabaseError(kind: .invalidInput, message: "duckdb_arrow_scan could not read the Arrow stream")
        }
        defer { try? execute("DROP VIEW IF EXISTS \(quoteIdentifier(view))") }
        try execute("INSERT INTO \(table) SELECT * FROM \(quoteIdentifier(view))")
    }
}

func streamGetSchema(_ stream: UnsafeMutablePointer<ArrowArrayStream>?, _ out: UnsafeMutablePointer<ArrowSchema>?) -> Int32 {
    guard let stream, let out, let opaque = stream.pointee.private_data else { return 22 }   // EINVAL
    Unmanaged<ArrowStreamSource>.fromOpaque(opaque).takeUnretainedValue().schema(out)
    return 0
}

func streamGetNext(_ stream: UnsafeMutablePointer<ArrowArrayStream>?, _ out: UnsafeMutablePointer<ArrowArray>?) -> Int32 {
    guard let stream, let out, let opaque = stream.pointee.private_data else { return 22 }
    if !Unmanaged<ArrowStreamSource>.fromOpaque(opaque).takeUnretainedValue().next(out) {
        out.pointee.release = nil                                  // end of stream
    }
    return 0
}

func streamLastError(_ stream: UnsafeMutablePointer<ArrowArrayStream>?) -> UnsafePointer<CChar>? { nil }

func streamRelease(_ stream: UnsafeMutablePointer<ArrowArrayStream>?) {
    guard let stream, let opaque = stream.pointee.private_data else { return }
    Unmanaged<ArrowStreamSource>.fromOpaque(opaque).release()
    stream.pointee.private_data = nil
    stream.pointee.release = nil
}
