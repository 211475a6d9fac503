/// Decoded flatbuffer metadata of one IPC message (Message.fbs), copied out of the stream bytes.
struct MessageMetadata {
    enum Header {
        case schema(ArrowSchemaDescription)
        case recordBatch(RecordBatchHeader)
        case dictionaryBatch(id: Int64, isDelta: Bool, RecordBatchHeader)
    }

    /// MetadataVersion: V4 = 3, V5 = 4.
    var version: Int16
    var header: Header
    var bodyLength: Int
}

struct FieldNode { var length: Int; var nullCount: Int }
struct BufferSpec { var offset: Int; var length: Int }

enum CompressionCodec: Int8 { case lz4Frame = 0, zstd = 1 }

struct RecordBatchHeader {
    var length: Int
    var nodes: [FieldNode]
    var buffers: [BufferSpec]
    var compression: CompressionCodec?
    var variadicBufferCounts: [Int]
}

enum MetadataVersion {
    static let v4: Int16 = 3
    static let v5: Int16 = 4
}

/// Limits that keep hostile metadata from exhausting the stack or the CPU.
enum MetadataLimits {
    static let maximumNesting = 64
    static let maximumFields = 100_000
}

extension MessageMetadata {
    /// Parses a Message flatbuffer; `base` is its offset in the stream.
    init(parsing bytes: UnsafeRawBufferPointer, base: Int) throws(ArrowIPCError) {
        let reader = FlatBufferReader(bytes: bytes, base: base)
        let message = try reader.root()
        version = try message.scalar(0, default: Int16(0))
        guard version == MetadataVersion.v4 || version == MetadataVersion.v5 else {
            throw ArrowIPCError.unsupported("metadata version V\(Int(version) + 1) (this reader reads V4 and V5)", at: base)
        }
        let headerType = try message.scalar(1, default: UInt8(0))
        let length = try message.scalar(3, default: Int64(0))
        guard length >= 0, length <= Int64(Int32.max) * 64 else {
            throw ArrowIPCError.invalid("message body length \(length) is out of range", at: base)
        }
        bodyLength = Int(length)
        guard let table = try message.table(2) else {
            throw ArrowIPCError.invalid("message has no header (header type \(headerType))", at: base)
        }
        switch headerType {
        case 1:
            header = .schema(try Self.schema(table))
        case 2:
            let id = try table.scalar(0, default: Int64(0))
            guard let data = try table.table(1) else {
                throw ArrowIPCError.invalid("dictionary batch \(id) has no data", at: base)
            }
            header = .dictionaryBatch(id: id, isDelta: try table.bool(2), try Self.recordBatch(data))
        case 3:
            header = .recordBatch(try Self.recordBatch(table))
        case 4, 5:
            throw ArrowIPCError.unsupported("tensor messages are not part of a record batch stream", at: base)
        default:
            throw ArrowIPCError.invalid("unknown message header type \(headerType)", at: base)
        }
    }

    static func recordBatch(_ table: FlatTable) throws(ArrowIPCError) -> RecordBatchHeader {
        let base = table.reader.base + table.position
        let length = try table.scalar(0, default: Int64(0))
        guard length >= 0, length <= Int64(Int32.max) * 64 else {
            throw ArrowIPCError.invalid("record batch length \(length) is out of range", at: base)
        }
        var nodes: [FieldNode] = []
        if let vector = try table.vector(1, elementSize: 16) {
            nodes.reserveCapacity(vector.count)
            for index in 0..<vector.count {
                let nodeLength = try vector.load(Int64.self, element: index)
                let nulls = try vector.load(Int64.self, element: index, field: 8)
                guard nodeLength >= 0, nodeLength <= Int64(Int32.max) * 64, nulls >= 0, nulls <= nodeLength else {
                    throw ArrowIPCError.invalid("field node \(index): length \(nodeLength), null count \(nulls) are inconsistent", at: base)
                }
                nodes.append(FieldNode(length: Int(nodeLength), nullCount: Int(nulls)))
            }
        }
        var buffers: [BufferSpec] = []
        if let vector = try table.vector(2, elementSize: 16) {
            buffers.reserveCapacity(vector.count)
            for index in 0..<vector.count {
                let offset = try vector.load(Int64.self, element: index)
                let bufferLength = try vector.load(Int64.self, element: index, field: 8)
                guard offset >= 0, bufferLength >= 0, offset <= Int64(Int.max / 2), bufferLength <= Int64(Int.max / 2) else {
                    throw ArrowIPCError.invalid("buffer \(index): offset \(offset), length \(bufferLength) are out of range", at: base)
                }
                buffers.append(BufferSpec(offset: Int(offset), length: Int(bufferLength)))
            }
        }
        var compression: CompressionCodec?
        if let body = try table.table(3) {
            let codec = try body.scalar(0, default: Int8(0))
            let method = try body.scalar(1, default: Int8(0))
            guard method == 0 else { throw ArrowIPCError.unsupported("body compression method \(method)", at: base) }
            guard let known = CompressionCodec(rawValue: codec) else {
                throw ArrowIPCError.unsupported("compression codec \(codec)", at: base)
            }
            compression = known
        }
        var variadic: [Int] = []
        if let vector = try table.vector(4, elementSize: 8) {
            for index in 0..<vector.count {
                let count = try vector.load(Int64.self, element: index)
                guard count >= 0, count <= Int64(Int32.max) else {
                    throw ArrowIPCError.invalid("variadic buffer count \(count) is out of range", at: base)
                }
                variadic.append(Int(count))
            }
        }
        return RecordBatchHeader(length: Int(length), nodes: nodes, buffers: buffers, compression: compression,
                                 variadicBufferCounts: variadic)
    }

    static func schema(_ table: FlatTable) throws(ArrowIPCError) -> ArrowSchemaDescription {
        let endianness = try table.scalar(0, default: Int16(0))
        guard endianness == 0 else {
            throw ArrowIPCError.unsupported("big-endian data", at: table.reader.base + table.position)
        }
        var budget = MetadataLimits.maximumFields
        let fields = try fieldList(table, index: 1, depth: 0, budget: &budget)
        return ArrowSchemaDescription(fields: fields, metadata: try keyValues(table, index: 2, budget: &budget))
    }

    static func fieldList(_ table: FlatTable, index: Int, depth: Int, budget: inout Int) throws(ArrowIPCError) -> [ArrowField] {
        var fields: [ArrowField] = []
        for child in try table.tables(index) {
            fields.append(try field(child, depth: depth, budget: &budget))
        }
        return fields
    }

    /// Key-value pairs count against the same budget as fields: a shared table referenced many
    /// times must not multiply its metadata.
    static func keyValues(_ table: FlatTable, index: Int, budget: inout Int) throws(ArrowIPCError) -> [ArrowKeyValue] {
        var pairs: [ArrowKeyValue] = []
        for pair in try table.tables(index) {
            budget -= 1
            guard budget >= 0 else {
                throw ArrowIPCError.unsupported("more than \(MetadataLimits.maximumFields) fields and metadata entries", at: table.reader.base + table.position)
            }
            pairs.append(ArrowKeyValue(key: try pair.string(0) ?? "", value: try pair.string(1) ?? ""))
        }
        return pairs
    }

    static func field(_ table: FlatTable, depth: Int, budget: inout Int) throws(ArrowIPCError) -> ArrowField {
        let at = table.reader.base + table.position
        budget -= 1
        guard budget >= 0 else { throw ArrowIPCError.unsupported("more than \(MetadataLimits.maximumFields) fields", at: at) }
        guard depth < MetadataLimits.maximumNesting else {
            throw ArrowIPCError.unsupported("fields nested deeper than \(MetadataLimits.maximumNesting)", at: at)
        }
        let name = try table.string(0) ?? ""
        let nullable = try table.bool(1)
        let typeTag = try table.scalar(2, default: UInt8(0))
        let typeTable = try table.table(3)
        let type = try arrowType(tag: typeTag, typeTable, at: at)
        var dictionary: ArrowDictionaryEncoding?
        if let encoding = try table.table(4) {
            var bits = 32, signed = true
            if let index = try encoding.table(1) {
                bits = Int(try index.scalar(0, default: Int32(0)))
                signed = try index.bool(1)
            }
            guard [8, 16, 32, 64].contains(bits) else {
                throw ArrowIPCError.invalid("dictionary index bit width \(bits)", at: at)
            }
            dictionary = ArrowDictionaryEncoding(id: try encoding.scalar(0, default: Int64(0)), indexBitWidth: bits,
                                                 indexSigned: signed, isOrdered: try encoding.bool(2))
        }
        let children = try fieldList(table, index: 5, depth: depth + 1, budget: &budget)
        let field = ArrowField(name: name, type: type, nullable: nullable, children: children,
                               metadata: try keyValues(table, index: 6, budget: &budget), dictionary: dictionary)
        try checkChildren(field, at: at)
        return field
    }

    static func timeUnit(_ raw: Int16, at: Int) throws(ArrowIPCError) -> ArrowType.TimeUnit {
        guard let unit = ArrowType.TimeUnit(rawValue: raw) else { throw ArrowIPCError.invalid("time unit \(raw)", at: at) }
        return unit
    }

    static func arrowType(tag: UInt8, _ table: FlatTable?, at: Int) throws(ArrowIPCError) -> ArrowType {
        // Absent parameter tables mean all-default parameters.
        func int32(_ index: Int, _ value: Int32) throws(ArrowIPCError) -> Int32 { try table?.scalar(index, default: value) ?? value }
        func int16(_ index: Int, _ value: Int16) throws(ArrowIPCError) -> Int16 { try table?.scalar(index, default: value) ?? value }
        switch tag {
        case 1: return .null
        case 2:
            let bits = Int(try int32(0, 0))
            guard [8, 16, 32, 64].contains(bits) else { throw ArrowIPCError.invalid("integer bit width \(bits)", at: at) }
            return .int(bitWidth: bits, signed: try table?.bool(1) ?? false)
        case 3:
            let raw = try int16(0, 0)
            guard let precision = ArrowType.Precision(rawValue: raw) else { throw ArrowIPCError.invalid("float precision \(raw)", at: at) }
            return .floatingPoint(precision)
        case 4: return .binary
        case 5: return .utf8
        case 6: return .bool
        case 7:
            let precision = Int(try int32(0, 0)), scale = Int(try int32(1, 0)), bits = Int(try int32(2, 128))
            guard bits == 128 || bits == 256 || bits == 32 || bits == 64 else {
                throw ArrowIPCError.invalid("decimal bit width \(bits)", at: at)
            }
            return .decimal(precision: precision, scale: scale, bitWidth: bits)
        case 8:
            let unit = try int16(0, 1)
            guard unit == 0 || unit == 1 else { throw ArrowIPCError.invalid("date unit \(unit)", at: at) }
            return .date(days: unit == 0)
        case 9:
            let unit = try timeUnit(try int16(0, 1), at: at)
            let bits = Int(try int32(1, 32))
            let expected = unit == .second || unit == .millisecond ? 32 : 64
            guard bits == expected else { throw ArrowIPCError.invalid("time[\(unit)] with bit width \(bits)", at: at) }
            return .time(unit, bitWidth: bits)
        case 10:
            let zone = try table?.string(1)
            return .timestamp(try timeUnit(try int16(0, 0), at: at), timezone: zone?.isEmpty == true ? nil : zone)
        case 11:
            let raw = try int16(0, 0)
            guard let unit = ArrowType.IntervalUnit(rawValue: raw) else { throw ArrowIPCError.invalid("interval unit \(raw)", at: at) }
            return .interval(unit)
        case 12: return .list
        case 13: return .struct
        case 14:
            let raw = try int16(0, 0)
            guard let mode = ArrowType.UnionMode(rawValue: raw) else { throw ArrowIPCError.invalid("union mode \(raw)", at: at) }
            var ids: [Int32] = []
            if let vector = try table?.vector(1, elementSize: 4) {
                guard vector.count <= 128 else { throw ArrowIPCError.invalid("union with \(vector.count) type ids (at most 128)", at: at) }
                for index in 0..<vector.count { ids.append(try vector.load(Int32.self, element: index)) }
            }
            return .union(mode: mode, typeIDs: ids)
        case 15:
            let width = Int(try int32(0, 0))
            guard width >= 0 else { throw ArrowIPCError.invalid("fixed-size binary width \(width)", at: at) }
            return .fixedSizeBinary(byteWidth: width)
        case 16:
            let size = Int(try int32(0, 0))
            guard size >= 0 else { throw ArrowIPCError.invalid("fixed-size list size \(size)", at: at) }
            return .fixedSizeList(listSize: size)
        case 17: return .map(keysSorted: try table?.bool(0) ?? false)
        case 18: return .duration(try timeUnit(try int16(0, 1), at: at))
        case 19: return .largeBinary
        case 20: return .largeUtf8
        case 21: return .largeList
        case 22: throw ArrowIPCError.unsupported("run-end encoded arrays", at: at)
        case 23: return .binaryView
        case 24: return .utf8View
        case 25: return .listView
        case 26: return .largeListView
        case 0: throw ArrowIPCError.invalid("field has no type", at: at)
        default: throw ArrowIPCError.unsupported("Arrow type tag \(tag)", at: at)
        }
    }

    /// Nested types must have the children their layout needs.
    static func checkChildren(_ field: ArrowField, at: Int) throws(ArrowIPCError) {
        let count = field.children.count
        switch field.type {
        case .list, .largeList, .listView, .largeListView, .fixedSizeList:
            guard count == 1 else { throw ArrowIPCError.invalid("\(field.type) field \"\(field.name)\" has \(count) children, needs 1", at: at) }
        case .map:
            guard count == 1, case .struct = field.children[0].type, field.children[0].children.count == 2,
                  field.children[0].dictionary == nil else {
                throw ArrowIPCError.invalid("map field \"\(field.name)\" needs one struct child with two fields", at: at)
            }
        case let .union(_, ids):
            guard ids.isEmpty || ids.count == count else {
                throw ArrowIPCError.invalid("union field \"\(field.name)\" has \(ids.count) type ids for \(count) children", at: at)
            }
            guard count <= 128, Set(ids).count == ids.count, ids.allSatisfy({ (0...127).contains($0) }) else {
                throw ArrowIPCError.invalid("union field \"\(field.name)\" has invalid type ids", at: at)
            }
        case .struct:
            break
        default:
            guard count == 0 else { throw ArrowIPCError.invalid("\(field.type) field \"\(field.name)\" has children", at: at) }
        }
    }
}
