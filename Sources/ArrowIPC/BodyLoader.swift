import NIOCore

/// Walks a record batch's field nodes and buffers in schema order (depth first, as the IPC format
/// lays them out) and builds validated ``ArrayData`` whose buffers are slices of the body.
struct BodyLoader {
    let header: RecordBatchHeader
    let body: RopeRange
    /// Offset of the body in the stream, for errors.
    let bodyOffset: Int
    let version: Int16
    let dictionaries: [Int64: ArrayData]
    let decompressionLimit: Int
    private var nodeIndex = 0
    private var bufferIndex = 0
    private var variadicIndex = 0

    init(header: RecordBatchHeader, body: RopeRange, bodyOffset: Int, version: Int16,
         dictionaries: [Int64: ArrayData], decompressionLimit: Int) {
        self.header = header; self.body = body; self.bodyOffset = bodyOffset; self.version = version
        self.dictionaries = dictionaries; self.decompressionLimit = decompressionLimit
    }

    /// Loads every field; checks that all nodes and buffers were used.
    mutating func loadColumns(_ fields: [ArrowField]) throws(ArrowIPCError) -> [ArrayData] {
        var columns: [ArrayData] = []
        columns.reserveCapacity(fields.count)
        for field in fields {
            let column = try load(field)
            guard column.length >= header.length else {
                throw ArrowIPCError.invalid("column \"\(field.name)\" has \(column.length) rows, the batch \(header.length)", at: bodyOffset)
            }
            columns.append(column)
        }
        guard nodeIndex == header.nodes.count, bufferIndex == header.buffers.count else {
            throw ArrowIPCError.invalid("record batch has \(header.nodes.count) field nodes and \(header.buffers.count) buffers, the schema uses \(nodeIndex) and \(bufferIndex)", at: bodyOffset)
        }
        return columns
    }

    private mutating func nextNode(_ field: ArrowField) throws(ArrowIPCError) -> FieldNode {
        guard nodeIndex < header.nodes.count else {
            throw ArrowIPCError.invalid("record batch has too few field nodes (\(header.nodes.count)) for field \"\(field.name)\"", at: bodyOffset)
        }
        defer { nodeIndex += 1 }
        return header.nodes[nodeIndex]
    }

    /// The next body buffer, decompressed if the batch is compressed; nil when it is empty.
    private mutating func nextBuffer(_ field: ArrowField) throws(ArrowIPCError) -> ArrowBuffer? {
        guard bufferIndex < header.buffers.count else {
            throw ArrowIPCError.invalid("record batch has too few buffers (\(header.buffers.count)) for field \"\(field.name)\"", at: bodyOffset)
        }
        let spec = header.buffers[bufferIndex]
        bufferIndex += 1
        let have = body.readableBytes
        guard spec.offset <= have, have - spec.offset >= spec.length else {
            throw ArrowIPCError.truncated("buffer \(bufferIndex - 1) of field \"\(field.name)\"", at: bodyOffset + min(spec.offset, have),
                                          need: spec.length, have: max(0, have - spec.offset))
        }
        guard spec.length > 0 else { return nil }
        guard let slice = body.getSlice(at: spec.offset, length: spec.length) else {
            throw ArrowIPCError.truncated("buffer \(bufferIndex - 1)", at: bodyOffset + spec.offset, need: spec.length, have: have)
        }
        guard let codec = header.compression else { return slice }
        let plain = try BodyDecompression.decompress(slice, codec: codec, limit: decompressionLimit, at: bodyOffset + spec.offset)
        return plain.readableBytes == 0 ? nil : plain
    }

    private mutating func nextVariadicCount(_ field: ArrowField) throws(ArrowIPCError) -> Int {
        guard variadicIndex < header.variadicBufferCounts.count else {
            throw ArrowIPCError.invalid("view field \"\(field.name)\" has no variadic buffer count", at: bodyOffset)
        }
        defer { variadicIndex += 1 }
        return header.variadicBufferCounts[variadicIndex]
    }

    mutating func load(_ field: ArrowField) throws(ArrowIPCError) -> ArrayData {
        let node = try nextNode(field)
        let validator = ArrayValidator(field: field, length: node.length, nullCount: node.nullCount, at: bodyOffset)
        if let encoding = field.dictionary {
            let validity = try nextBuffer(field), indices = try nextBuffer(field)
            guard let dictionary = dictionaries[encoding.id] else {
                throw ArrowIPCError.invalid("field \"\(field.name)\" uses dictionary \(encoding.id), which the stream has not sent", at: bodyOffset)
            }
            try validator.validity(validity)
            try validator.dictionaryIndices(indices, encoding: encoding, dictionaryLength: dictionary.length)
            return ArrayData(length: node.length, nullCount: node.nullCount, buffers: [validity, indices], dictionary: dictionary)
        }
        switch field.type {
        case .null:
            return ArrayData(length: node.length, nullCount: node.length, buffers: [])
        case .bool, .int, .floatingPoint, .decimal, .fixedSizeBinary, .date, .time, .timestamp, .duration, .interval:
            let validity = try nextBuffer(field), values = try nextBuffer(field)
            try validator.validity(validity)
            try validator.fixedWidth(values)
            return ArrayData(length: node.length, nullCount: node.nullCount, buffers: [validity, values])
        case .utf8, .binary, .largeUtf8, .largeBinary:
            let validity = try nextBuffer(field), offsets = try nextBuffer(field), values = try nextBuffer(field)
            try validator.validity(validity)
            let large = field.type == .largeUtf8 || field.type == .largeBinary
            try validator.offsets(offsets, large: large, targetLength: values?.readableBytes ?? 0, what: "string")
            return ArrayData(length: node.length, nullCount: node.nullCount, buffers: [validity, offsets, values])
        case .utf8View, .binaryView:
            let validity = try nextBuffer(field), views = try nextBuffer(field)
            let count = try nextVariadicCount(field)
            guard count <= header.buffers.count - bufferIndex else {
                throw ArrowIPCError.invalid("view field \"\(field.name)\" declares \(count) data buffers, the batch has \(header.buffers.count - bufferIndex) left", at: bodyOffset)
            }
            var data: [ArrowBuffer?] = []
            var sizes = ByteBufferAllocator().buffer(capacity: max(8, count * 8))
            for _ in 0..<count {
                let buffer = try nextBuffer(field)
                data.append(buffer)
                sizes.writeInteger(Int64(buffer?.readableBytes ?? 0), endianness: .little)
            }
            try validator.validity(validity)
            try validator.views(views, data: data)
            // The C Data Interface wants one more buffer: the int64 sizes of the data buffers.
            return ArrayData(length: node.length, nullCount: node.nullCount,
                             buffers: [validity, views] + data + [count == 0 ? nil : ArrowBuffer(sizes)])
        case .list, .largeList, .map:
            let validity = try nextBuffer(field), offsets = try nextBuffer(field)
            let child = try loadChild(field, 0)
            try validator.validity(validity)
            try validator.offsets(offsets, large: field.type == .largeList, targetLength: child.length, what: "list")
            return ArrayData(length: node.length, nullCount: node.nullCount, buffers: [validity, offsets], children: [child])
        case .listView, .largeListView:
            let validity = try nextBuffer(field), offsets = try nextBuffer(field), sizes = try nextBuffer(field)
            let child = try loadChild(field, 0)
            try validator.validity(validity)
            try validator.listViews(offsets: offsets, sizes: sizes, large: field.type == .largeListView, childLength: child.length)
            return ArrayData(length: node.length, nullCount: node.nullCount, buffers: [validity, offsets, sizes], children: [child])
        case let .fixedSizeList(size):
            let validity = try nextBuffer(field)
            let child = try loadChild(field, 0)
            try validator.validity(validity)
            try validator.childLength(child.length, needed: try multiply(node.length, size), child: 0)
            return ArrayData(length: node.length, nullCount: node.nullCount, buffers: [validity], children: [child])
        case .struct:
            let validity = try nextBuffer(field)
            var children: [ArrayData] = []
            for index in field.children.indices {
                let child = try loadChild(field, index)
                try validator.childLength(child.length, needed: node.length, child: index)
                children.append(child)
            }
            try validator.validity(validity)
            return ArrayData(length: node.length, nullCount: node.nullCount, buffers: [validity], children: children)
        case let .union(mode, ids):
            if version < MetadataVersion.v5 { _ = try nextBuffer(field) }   // V4 unions carried an unused validity buffer
            let types = try nextBuffer(field)
            let offsets = mode == .dense ? try nextBuffer(field) : nil
            var children: [ArrayData] = []
            for index in field.children.indices { children.append(try loadChild(field, index)) }
            guard node.nullCount == 0 else {
                throw ArrowIPCError.invalid("union field \"\(field.name)\" has a null count; unions have no validity", at: bodyOffset)
            }
            try validator.union(types: types, offsets: offsets, typeIDs: ids.isEmpty ? Array(0..<Int32(children.count)) : ids,
                                children: children, dense: mode == .dense)
            return ArrayData(length: node.length, nullCount: 0,
                             buffers: mode == .dense ? [types, offsets] : [types], children: children)
        }
    }

    private mutating func loadChild(_ field: ArrowField, _ index: Int) throws(ArrowIPCError) -> ArrayData {
        try load(field.children[index])
    }

    private func multiply(_ a: Int, _ b: Int) throws(ArrowIPCError) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw ArrowIPCError.invalid("size \(a) x \(b) overflows", at: bodyOffset) }
        return product
    }
}
