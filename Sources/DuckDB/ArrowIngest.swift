internal import CDuckDB
public import CArrowData

extension Appender {
    /// Appends one Arrow record batch (a C struct array whose children are the columns, in the
    /// table's column order) through `duckdb_data_chunk_from_arrow`.
    ///
    /// DuckDB converts at most one vector (``Database/vectorSize``, 2048 rows) per call, so longer
    /// batches go in as zero-copy windows: shallow copies of the column structs with `offset` and
    /// `length` moved, pointing into the same buffers. The caller keeps ownership of `arrowSchema`
    /// and `arrowArray` and releases them afterwards; nothing here retains them past the call.
    public func append(arrowSchema: UnsafeMutablePointer<ArrowSchema>, arrowArray: UnsafeMutablePointer<ArrowArray>) throws(DatabaseError) {
        let schema = arrowSchema.pointee, array = arrowArray.pointee
        guard schema.release != nil, array.release != nil else {
            throw DatabaseError(kind: .invalidInput, message: "the Arrow schema or array was already released")
        }
        guard let format = schema.format, String(cString: format) == "+s", schema.n_children == array.n_children,
              array.n_children >= 0, array.length >= 0, array.offset >= 0 else {
            throw DatabaseError(kind: .invalidInput, message: "expected an Arrow struct array of columns matching its schema")
        }
        let converted = try ArrowConvertedSchema(connection: connection, schema: arrowSchema)
        let total = Int(array.length)
        let step = Database.vectorSize
        var start = 0
        while start < total {
            let count = min(step, total - start)
            let window = ArrowWindow.make(of: arrowArray, start: start, count: count)
            var chunk: duckdb_data_chunk?
            // DuckDB moves the window struct (sets its release to NULL) and releases it with the chunk.
            let error = duckdb_data_chunk_from_arrow(connection.handle, window, converted.raw, &chunk)
            if let failure = DatabaseError.consuming(error) {
                ArrowWindow.discard(window)
                duckdb_destroy_data_chunk(&chunk)
                throw failure
            }
            ArrowWindow.discard(window)
            guard let chunk else { throw DatabaseError(kind: .internal, message: "duckdb_data_chunk_from_arrow returned no chunk") }
            var owned: duckdb_data_chunk? = chunk
            defer { duckdb_destroy_data_chunk(&owned) }
            try appendRaw(chunk, rows: count)
            start += count
        }
    }
}

extension Connection {
    /// DuckDB's own mapping of an Arrow schema (a struct of columns) to column names and types.
    public func logicalTypes(forArrowSchema schema: UnsafeMutablePointer<ArrowSchema>) throws(DatabaseError) -> [(name: String, type: LogicalType)] {
        guard let format = schema.pointee.format, String(cString: format) == "+s", schema.pointee.n_children >= 0 else {
            throw DatabaseError(kind: .invalidInput, message: "expected an Arrow struct schema of columns")
        }
        let converted = try ArrowConvertedSchema(connection: self, schema: schema)
        // The C API exposes the converted types only through a chunk: convert an empty batch.
        let empty = ArrowWindow.empty(for: schema)
        var chunk: duckdb_data_chunk?
        let error = duckdb_data_chunk_from_arrow(handle, empty, converted.raw, &chunk)
        if let release = empty.pointee.release { release(empty) }
        empty.deallocate()
        if let failure = DatabaseError.consuming(error) { duckdb_destroy_data_chunk(&chunk); throw failure }
        guard let chunk else { throw DatabaseError(kind: .internal, message: "duckdb_data_chunk_from_arrow returned no chunk") }
        let types = DataChunk(taking: chunk).types
        var result: [(name: String, type: LogicalType)] = []
        for (index, type) in types.enumerated() {
            let child = index < Int(schema.pointee.n_children) ? schema.pointee.children?[index] : nil
            result.append((child?.pointee.name.map { String(cString: $0) } ?? "", type))
        }
        return result
    }
}

/// Owns a `duckdb_arrow_converted_schema`, destroyed exactly once.
final class ArrowConvertedSchema {
    let raw: duckdb_arrow_converted_schema

    init(connection: Connection, schema: UnsafeMutablePointer<ArrowSchema>) throws(DatabaseError) {
        var converted: duckdb_arrow_converted_schema?
        let error = duckdb_schema_from_arrow(connection.handle, schema, &converted)
        if let failure = DatabaseError.consuming(error) {
            duckdb_destroy_arrow_converted_schema(&converted)
            throw DatabaseError(kind: failure.kind, message: "DuckDB cannot take this Arrow schema: \(failure.message)")
        }
        guard let converted else { throw DatabaseError(kind: .internal, message: "duckdb_schema_from_arrow returned nothing") }
        raw = converted
    }

    deinit {
        var owned: duckdb_arrow_converted_schema? = raw
        duckdb_destroy_arrow_converted_schema(&owned)
    }
}
