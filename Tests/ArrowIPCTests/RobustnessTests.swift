import ArrowIPC
import CArrowData
import DuckDB
import Foundation
import NIOCore
import Testing

/// Truncated, corrupt and unsupported input: always a descriptive error, never a crash.
@Suite struct RobustnessTests {
    /// Offsets where each encapsulated message ends (after the continuation marker, length, metadata, body).
    static func messageBoundaries(_ bytes: ByteBuffer) -> [Int] {
        var boundaries: [Int] = [], offset = 0
        var decoder = StreamDecoder()
        // Feed growing prefixes message by message: a boundary is where the decoder has consumed everything.
        for end in 1...bytes.readableBytes {
            _ = try? decoder.feed(bytes.getSlice(at: offset, length: end - offset) ?? ByteBuffer())
            offset = end
            if finishes(decoder) { boundaries.append(end) }
        }
        return boundaries
    }

    static func finishes(_ decoder: StreamDecoder) -> Bool {
        var copy = decoder
        do { try copy.finish(); return true } catch { return false }
    }

    @Test func cutAtAMessageBoundaryYieldsTheBatchesBeforeIt() throws {
        let bytes = try Fixtures.bytes("dictionary-deltas.arrows")
        let (_, all) = try StreamDecoder.decodeAll(bytes)
        let boundaries = Self.messageBoundaries(bytes)
        // schema, 3 x (dictionaries...) + 3 batches, EOS: at least 5 boundaries.
        #expect(boundaries.count >= 5)
        for cut in boundaries {
            var decoder = StreamDecoder()
            let batches = try decoder.feed(bytes.getSlice(at: 0, length: cut) ?? ByteBuffer())
            try decoder.finish()
            #expect(batches.count <= all.count)
            #expect(batches.map(\.length) == Array(all.map(\.length).prefix(batches.count)))
        }
        #expect(boundaries.last == bytes.readableBytes)
    }

    @Test func cutInsideAMessageThrowsOnFinish() throws {
        let bytes = try Fixtures.bytes("primitives.arrows")
        let boundaries = Set(Self.messageBoundaries(try Fixtures.bytes("metadata.arrows")))
        let small = try Fixtures.bytes("metadata.arrows")
        for cut in 1..<small.readableBytes where !boundaries.contains(cut) {
            var decoder = StreamDecoder()
            _ = try decoder.feed(small.getSlice(at: 0, length: cut) ?? ByteBuffer())
            let error = #expect(throws: ArrowIPCError.self) { try decoder.finish() }
            #expect(error?.kind == .truncated)
        }
        // A cut in the middle of a large body says where and how much is missing.
        var decoder = StreamDecoder()
        _ = try decoder.feed(bytes.getSlice(at: 0, length: bytes.readableBytes / 2) ?? ByteBuffer())
        let error = #expect(throws: ArrowIPCError.self) { try decoder.finish() }
        #expect(error?.description.contains("need") == true)
    }

    @Test func everyTruncationOfASmallStreamIsHandled() throws {
        let bytes = try Fixtures.bytes("dictionary-deltas-lz4.arrows")
        for cut in 0..<bytes.readableBytes {
            var decoder = StreamDecoder()
            do {
                _ = try decoder.feed(bytes.getSlice(at: 0, length: cut) ?? ByteBuffer())
                try decoder.finish()
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test func everySingleByteCorruptionIsAnErrorOrDecodes() throws {
        // Flip each byte of a small stream: decoding (and exporting what decodes) must never crash.
        let original = try Fixtures.bytes("dictionary-deltas.arrows")
        var errors = 0
        for index in 0..<original.readableBytes {
            var bytes = original
            let byte = bytes.getInteger(at: index, as: UInt8.self) ?? 0
            bytes.setInteger(byte ^ 0xA5, at: index)
            do {
                let (_, batches) = try StreamDecoder.decodeAll(bytes)
                for batch in batches { _ = try batch.exportToC() }
            } catch {
                errors += 1
            }
        }
        #expect(errors > 0)
    }

    /// Inputs the fuzzer found crashes with (fixed): each must now decode or throw.
    @Test func fuzzRegressions() throws {
        let directory = Fixtures.directory.appendingPathComponent("fuzz-regressions")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let bytes = ByteBuffer(bytes: try Data(contentsOf: directory.appendingPathComponent(name)))
            do {
                let (_, batches) = try StreamDecoder.decodeAll(bytes)
                for batch in batches {
                    let exported = try batch.exportToC(options: .faithful)
                    #expect(Self.unionFormatsListTypeIDs(exported.schemaPointer), "\(name)")
                }
            } catch {
                #expect(!error.description.isEmpty, "\(name)")
            }
        }
    }

    /// A C union format always lists its type ids ("+us:0,1"), even when the IPC schema left them out.
    static func unionFormatsListTypeIDs(_ schema: UnsafeMutablePointer<ArrowSchema>) -> Bool {
        let format = String(cString: schema.pointee.format)
        if format.hasPrefix("+u"), format.dropFirst(4).isEmpty, schema.pointee.n_children > 0 { return false }
        for index in 0..<Int(schema.pointee.n_children) {
            if let child = schema.pointee.children[index], !unionFormatsListTypeIDs(child) { return false }
        }
        return true
    }

    @Test func bytesAfterEndOfStreamAreAnError() throws {
        var bytes = try Fixtures.bytes("metadata.arrows")
        bytes.writeBytes([1, 2, 3, 4])
        #expect(throws: ArrowIPCError.self) { _ = try StreamDecoder.decodeAll(bytes) }
    }

    @Test func emptyInputHasNoSchema() throws {
        var decoder = StreamDecoder()
        #expect(try decoder.feed(ByteBuffer()).isEmpty)
        #expect(throws: ArrowIPCError.self) { try decoder.finish() }
    }

    @Test func hostileMetadataLengthIsRejectedNotAllocated() throws {
        var decoder = StreamDecoder()
        _ = try decoder.feed(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xF0, 0xFF, 0xFF, 0x7F, 0x00]))
        #expect(throws: ArrowIPCError.self) { try decoder.finish() }
        #expect(throws: ArrowIPCError.self) {
            _ = try StreamDecoder.decodeAll(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x80]))
        }
    }

    @Test func denseUnionDecodesButDuckDBRefusesIt() throws {
        let (schema, batches) = try StreamDecoder.decodeAll(try Fixtures.bytes("dense-union.arrows"))
        #expect(schema.fields.first?.type == .union(mode: .dense, typeIDs: [0, 1]))
        #expect(batches.first?.length == 4)
        let exported = try #require(try batches.first?.exportToC())
        #expect(String(cString: exported.schemaPointer.pointee.children[0]!.pointee.format) == "+ud:0,1")
        let database = try Database()
        let connection = try database.connect()
        #expect(throws: DatabaseError.self) { _ = try connection.logicalTypes(forArrowSchema: exported.schemaPointer) }
    }

    @Test func decimal256BeyondThirtyEightDigitsIsAClearError() throws {
        let (schema, batches) = try StreamDecoder.decodeAll(try Fixtures.bytes("decimal256-wide.arrows"))
        #expect(schema.fields.first?.type == .decimal(precision: 50, scale: 0, bitWidth: 256))
        let error = #expect(throws: ArrowIPCError.self) { _ = try batches.first?.exportToC() }
        #expect(error?.description.contains("38 digits") == true)
        // Exported faithfully it is still a valid Arrow array.
        let faithful = try #require(try batches.first?.exportToC(options: .faithful))
        #expect(String(cString: faithful.schemaPointer.pointee.children[0]!.pointee.format) == "d:50,0,256")
    }

    @Test func exportedArraysReleaseOnceEvenWhenAChildIsMovedOut() throws {
        let (_, batches) = try StreamDecoder.decodeAll(try Fixtures.bytes("nested.arrows"))
        let exported = try #require(try batches.first?.exportToC())
        // A consumer moves column 0 out (copies the struct, marks the original released), releases it itself.
        let child = try #require(exported.arrayPointer.pointee.children[0])
        var moved = child.pointee
        child.pointee.release = nil
        #expect(moved.release != nil)
        moved.release?(&moved)
        #expect(moved.release == nil)
        // The rest goes when `exported` is released: no double release of column 0.
        #expect(exported.arrayPointer.pointee.n_children == 9)
    }

    @Test func schemaCarriesMetadata() throws {
        let (schema, _) = try StreamDecoder.decodeAll(try Fixtures.bytes("metadata.arrows"))
        #expect(schema.metadata.contains(ArrowKeyValue(key: "origin", value: "dbduck")))
        #expect(schema.fields[0].metadata == [ArrowKeyValue(key: "comment", value: "primary key")])
        #expect(schema.fields[0].nullable == false)
        #expect(schema.fields[1].nullable == true)
    }

    @Test func batchesLongerThanAVectorLoadCompletely() throws {
        let (schema, batches) = try StreamDecoder.decodeAll(try Fixtures.bytes("primitives.arrows"))
        #expect(batches.map(\.length) == [2100, 0, 60])
        let load = try DuckDBLoad(batches, schema: schema)
        let sum = try load.connection.scalar("SELECT count(*) FROM t")
        #expect(sum == .bigint(2160))
    }
}
