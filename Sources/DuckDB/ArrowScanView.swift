internal import CDuckDB
internal import CArrowData

/// A view over an Arrow C stream (`duckdb_arrow_scan`) that outlives one statement: create it, then
/// read it with as many queries as needed, e.g. one `INSERT … SELECT` that pulls every batch while
/// another task produces them. The view is created in the connection's current catalog; the stream
/// is released when this object goes away (drop the view first).
public final class ArrowScanView {
    private let stream: UnsafeMutablePointer<ArrowArrayStream>
    /// The view's name (unquoted).
    public let name: String

    init(connection: Connection, name: String, source: ArrowStreamSource) throws(DatabaseError) {
        self.name = name
        stream = UnsafeMutablePointer<ArrowArrayStream>.allocate(capacity: 1)
        stream.initialize(to: ArrowArrayStream(get_schema: streamGetSchema, get_next: streamGetNext,
                                               get_last_error: streamLastError, release: streamRelease,
                                               private_data: Unmanaged.passRetained(source).toOpaque()))
        guard deprecatedArrowScan(connection.handle, name, UnsafeMutableRawPointer(stream)) == DuckDBSuccess.rawValue else {
            if let release = stream.pointee.release { release(stream) }
            stream.deallocate()
            throw DatabaseError(kind: .invalidInput, message: "duckdb_arrow_scan could not read the Arrow stream for \(name)")
        }
    }

    deinit {
        if let release = stream.pointee.release { release(stream) }
        stream.deallocate()
    }
}

extension Connection {
    /// Creates a view named `name` over `source` (see ``ArrowScanView``).
    public func createArrowScanView(named name: String, source: ArrowStreamSource) throws(DatabaseError) -> ArrowScanView {
        try ArrowScanView(connection: self, name: name, source: source)
    }
}
