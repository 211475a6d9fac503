internal import CDuckDB

/// A DuckDB data chunk: up to ``Database/vectorSize`` rows of columnar data.
///
/// Chunks from a ``ResultSet`` are read with ``value(column:row:)``; chunks made with
/// ``init(types:)`` are filled with ``set(_:column:row:)`` and handed to an ``Appender``.
public final class DataChunk {
    let handle: duckdb_data_chunk
    /// The column types, described in Swift.
    public let types: [LogicalType]

    /// Takes ownership of `handle`.
    init(taking handle: duckdb_data_chunk) {
        self.handle = handle
        types = (0..<duckdb_data_chunk_get_column_count(handle)).map { column in
            var raw: duckdb_logical_type? = duckdb_vector_get_column_type(duckdb_data_chunk_get_vector(handle, column))
            defer { duckdb_destroy_logical_type(&raw) }
            return raw.map { LogicalType(raw: $0) } ?? .other(id: 0, name: "INVALID")
        }
    }

    /// An empty chunk with these column types, to fill and append.
    public convenience init(types: [LogicalType]) throws(DatabaseError) {
        var raws: [duckdb_logical_type?] = []
        defer { for i in raws.indices { duckdb_destroy_logical_type(&raws[i]) } }
        for type in types { raws.append(try type.makeRaw()) }
        guard let chunk = raws.withUnsafeMutableBufferPointer({ duckdb_create_data_chunk($0.baseAddress, idx_t(types.count)) }) else {
            throw DatabaseError(kind: .outOfMemory, message: "duckdb_create_data_chunk failed")
        }
        self.init(taking: chunk)
    }

    deinit {
        var chunk: duckdb_data_chunk? = handle
        duckdb_destroy_data_chunk(&chunk)
    }

    /// The number of rows in the chunk.
    public var count: Int {
        get { Int(duckdb_data_chunk_get_size(handle)) }
        set { duckdb_data_chunk_set_size(handle, idx_t(newValue)) }
    }

    /// The most rows a chunk holds.
    public static var capacity: Int { Database.vectorSize }

    /// Empties the chunk for reuse.
    public func reset() { duckdb_data_chunk_reset(handle) }

    /// The value at a column and row.
    public func value(column: Int, row: Int) throws(DatabaseError) -> Value {
        guard column >= 0, column < types.count, row >= 0, row < count else {
            throw DatabaseError(kind: .outOfRange, message: "no cell at column \(column), row \(row) in a chunk of \(types.count) columns and \(count) rows")
        }
        return try VectorReader.read(duckdb_data_chunk_get_vector(handle, idx_t(column)), type: types[column], row: row)
    }

    /// Stores a value at a column and row (rows beyond ``count`` become part of the chunk when
    /// ``count`` is set). Numbers convert to the column's type when they fit exactly.
    public func set(_ value: Value, column: Int, row: Int) throws(DatabaseError) {
        guard column >= 0, column < types.count, row >= 0, row < DataChunk.capacity else {
            throw DatabaseError(kind: .outOfRange, message: "no cell at column \(column), row \(row) in a chunk of \(types.count) columns")
        }
        try VectorWriter.write(value, into: duckdb_data_chunk_get_vector(handle, idx_t(column)), type: types[column], row: row)
    }

    /// Stores text (NULL for nil) in a VARCHAR column, without boxing it in a ``Value``.
    public func set(text: String?, column: Int, row: Int) throws(DatabaseError) {
        guard column >= 0, column < types.count, row >= 0, row < DataChunk.capacity else {
            throw DatabaseError(kind: .outOfRange, message: "no cell at column \(column), row \(row) in a chunk of \(types.count) columns")
        }
        switch types[column] {
        case .varchar, .json: break
        default: throw DatabaseError(kind: .mismatchType, message: "cannot store text in a \(types[column]) column")
        }
        let vector = duckdb_data_chunk_get_vector(handle, idx_t(column))
        guard var text else {
            duckdb_vector_ensure_validity_writable(vector)
            duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), idx_t(row))
            return
        }
        if let validity = duckdb_vector_get_validity(vector) { duckdb_validity_set_row_valid(validity, idx_t(row)) }
        text.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { duckdb_vector_assign_string_element_len(vector, idx_t(row), $0.baseAddress, idx_t($0.count)) }
        }
    }
}

@available(*, unavailable, message: "A chunk belongs to one task.")
extension DataChunk: Sendable {}
