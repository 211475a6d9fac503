import ArrowIPC
import DuckDB
import NIOCore
import Testing

/// Streams written by pyarrow, decoded here, loaded into DuckDB through the Arrow appender and
/// compared value by value with what DuckDB's Python package reads from the same streams.
@Suite struct StreamFixtureTests {
    @Test(arguments: FixtureStreams.names)
    func matchesDuckDBPython(_ name: String) throws {
        let expected = try FixtureStreams.expected(for: name)
        let (schema, batches) = try StreamDecoder.decodeAll(try FixtureStreams.arrowBytes(name))
        #expect(schema.fields.map(\.name) == expected.columns)
        #expect(batches.reduce(0) { $0 + $1.length } == expected.row_count)
        let load = try DuckDBLoad(batches, schema: schema)
        if !expected.types.isEmpty { #expect(try load.types(expected.columns) == expected.types) }
        let values = try load.values(expected.columns)
        #expect(values.count == expected.rows.count)
        // Report the first differing row and column, not the whole table.
        for (index, (got, want)) in zip(values, expected.rows).enumerated() where got != want {
            let column = got.indices.first { $0 < want.count && got[$0] != want[$0] } ?? 0
            Issue.record("\(name) row \(index) column \(expected.columns[column]): got \(got[column] ?? "NULL"), DuckDB Python read \(want[column] ?? "NULL")")
            break
        }
    }

    @Test(arguments: FixtureStreams.names)
    func oneByteAtATimeGivesTheSameBatches(_ name: String) throws {
        let (wholeSchema, whole) = try StreamDecoder.decodeAll(try FixtureStreams.arrowBytes(name))
        let (schema, pieces) = try FixtureStreams.decodeIncrementally(name, pieceSize: 1)
        #expect(schema == wholeSchema)
        #expect(pieces.map(\.length) == whole.map(\.length))
        let expected = try FixtureStreams.expected(for: name)
        let values = try DuckDBLoad(pieces, schema: wholeSchema).values(expected.columns)
        #expect(values == expected.rows)
    }

    /// Every piece kept separately: metadata, bodies and Arrow buffers straddle piece boundaries.
    @Test(arguments: [("nested.arrows", 1000), ("primitives-zstd.arrows", 333), ("dictionary-deltas.arrows", 5),
                      ("views.arrows", 4099)])
    func pieceBoundariesAnywhere(_ name: String, _ size: Int) throws {
        let expected = try FixtureStreams.expected(for: name)
        var decoder = StreamDecoder(maximumDecompressedBufferBytes: 1 << 30, gatherPiecesSmallerThan: 0)
        var batches: [RecordBatch] = []
        for piece in try FixtureStreams.arrowBytes(name).pieces(of: size) { batches += try decoder.feed(piece) }
        try decoder.finish()
        let schema = try #require(decoder.schema)
        #expect(try DuckDBLoad(batches, schema: schema).values(expected.columns) == expected.rows)
    }

    @Test(arguments: [7, 4096, 65_536])
    func oddPieceSizes(_ size: Int) throws {
        let (_, whole) = try StreamDecoder.decodeAll(try FixtureStreams.arrowBytes("nested.arrows"))
        let (_, pieces) = try FixtureStreams.decodeIncrementally("nested.arrows", pieceSize: size)
        #expect(pieces.map(\.length) == whole.map(\.length))
    }
}

/// The alternative ingest path (duckdb_arrow_scan + INSERT ... SELECT), kept for the benchmark comparison.
@Suite struct ArrowScanPathTests {
    @Test(arguments: ["primitives.arrows", "nested.arrows", "dictionary-deltas.arrows"])
    func loadsTheSameValues(_ name: String) throws {
        let expected = try FixtureStreams.expected(for: name)
        let (schema, batches) = try StreamDecoder.decodeAll(try FixtureStreams.arrowBytes(name))
        let database = try Database()
        let connection = try database.connect()
        try connection.execute("SET TimeZone = 'UTC'")
        let exportedSchema = schema.exportToC()
        let columns = try connection.logicalTypes(forArrowSchema: exportedSchema.schemaPointer)
        try connection.execute("CREATE TABLE t (" + columns.map { "\(quoteIdentifier($0.name)) \($0.type)" }.joined(separator: ", ") + ")")
        var remaining = batches[...]
        let source = ArrowStreamSource(schema: { out in
            let exported = schema.exportToC()
            out.pointee = exported.schemaPointer.pointee
            exported.schemaPointer.pointee.release = nil
        }, next: { out in
            guard let batch = remaining.popFirst(), let exported = try? batch.exportToC() else { return false }
            out.pointee = exported.arrayPointer.pointee
            exported.arrayPointer.pointee.release = nil
            return true
        })
        try connection.insertByArrowScan(into: "t", source: source)
        let select = expected.columns.map { "CAST(\(quoteIdentifier($0)) AS VARCHAR)" }.joined(separator: ", ")
        // arrow_scan may run in parallel: compare as multisets.
        let rows = try connection.query("SELECT \(select) FROM t").rows().map { row in
            row.map { value -> String? in if case let .varchar(text) = value { text } else { nil } }
        }
        let key = { (row: [String?]) in row.map { $0 ?? "\u{0}NULL" }.joined(separator: "\u{1}") }
        #expect(rows.map(key).sorted() == expected.rows.map(key).sorted())
    }
}
