public import CArrowData
import NIOCore

/// A record batch exported to the Arrow C Data Interface: an `ArrowSchema` and an `ArrowArray`
/// for a struct whose children are the columns. The arrays point into the batch's buffers (no
/// copies); each C node's `private_data` retains the storage of its own buffers, so the data lives
/// until the consumer calls `release` (per node, as the interface allows moving children out).
///
/// Releases whatever the consumer has not taken in `deinit`, exactly once: a consumer that takes
/// ownership (e.g. `duckdb_data_chunk_from_arrow`) moves the struct and sets `release` to NULL.
public final class ExportedBatch {
    public let schemaPointer: UnsafeMutablePointer<ArrowSchema>
    public let arrayPointer: UnsafeMutablePointer<ArrowArray>
    /// Rows in the batch.
    public let length: Int

    init(schema: UnsafeMutablePointer<ArrowSchema>, array: UnsafeMutablePointer<ArrowArray>, length: Int) {
        schemaPointer = schema; arrayPointer = array; self.length = length
    }

    deinit {
        if let release = schemaPointer.pointee.release { release(schemaPointer) }
        if let release = arrayPointer.pointee.release { release(arrayPointer) }
        schemaPointer.deallocate()
        arrayPointer.deallocate()
    }
}

extension RecordBatch {
    /// Exports the batch as a C struct array of its columns, zero-copy except for the few types
    /// `options` converts (by default those DuckDB cannot take; see ``ExportOptions/duckDB``).
    public func exportToC(options: ExportOptions = .duckDB) throws(ArrowIPCError) -> ExportedBatch {
        var fields = schema.fields, arrays = columns
        if options.duckDBCompatible {
            for index in fields.indices {
                (fields[index], arrays[index]) = try DuckDBCompatibility.convert(fields[index], arrays[index])
            }
        }
        let root = ArrowField(name: "", type: .struct, nullable: false, children: fields, metadata: schema.metadata)
        let schemaPointer = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
        CDataExport.fillSchema(schemaPointer, root)
        let rootData = ArrayData(length: length, nullCount: 0, buffers: [nil], children: arrays)
        let arrayPointer = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
        CDataExport.fillArray(arrayPointer, rootData, root)
        return ExportedBatch(schema: schemaPointer, array: arrayPointer, length: length)
    }
}

/// An `ArrowSchema` (a struct of the columns) on its own, released in `deinit` unless moved.
public final class ExportedSchema {
    public let schemaPointer: UnsafeMutablePointer<ArrowSchema>

    init(_ pointer: UnsafeMutablePointer<ArrowSchema>) { schemaPointer = pointer }

    deinit {
        if let release = schemaPointer.pointee.release { release(schemaPointer) }
        schemaPointer.deallocate()
    }
}

extension ArrowSchemaDescription {
    /// The schema as a C struct schema of its columns, typed as ``RecordBatch/exportToC(options:)``
    /// would type them (e.g. to create a DuckDB table before any batch has arrived).
    public func exportToC(options: ExportOptions = .duckDB) -> ExportedSchema {
        var fields = self.fields
        if options.duckDBCompatible { fields = fields.map(DuckDBCompatibility.convertedType) }
        let root = ArrowField(name: "", type: .struct, nullable: false, children: fields, metadata: metadata)
        let pointer = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
        CDataExport.fillSchema(pointer, root)
        return ExportedSchema(pointer)
    }
}

extension ArrowField {
    /// The C Data Interface format string; for a dictionary-encoded field, its index type's.
    public var cFormat: String {
        if let encoding = dictionary { return ArrowType.int(bitWidth: encoding.indexBitWidth, signed: encoding.indexSigned).cFormat }
        // IPC may leave a union's type ids out (they are then 0..<children); the C format lists them always.
        if case let .union(mode, ids) = type, ids.isEmpty {
            return ArrowType.union(mode: mode, typeIDs: (0..<Int32(children.count)).map { $0 }).cFormat
        }
        return type.cFormat
    }
}

extension ArrowType {
    public var cFormat: String {
        func unit(_ unit: TimeUnit) -> String { ["s", "m", "u", "n"][Int(unit.rawValue)] }
        switch self {
        case .null: return "n"
        case .bool: return "b"
        case let .int(bits, signed):
            let code: [Int: String] = [8: "c", 16: "s", 32: "i", 64: "l"]
            let letter = code[bits] ?? "l"
            return signed ? letter : letter.uppercased()
        case let .floatingPoint(p): return p == .half ? "e" : p == .single ? "f" : "g"
        case let .decimal(p, s, bits): return bits == 128 ? "d:\(p),\(s)" : "d:\(p),\(s),\(bits)"
        case .utf8: return "u"
        case .largeUtf8: return "U"
        case .utf8View: return "vu"
        case .binary: return "z"
        case .largeBinary: return "Z"
        case .binaryView: return "vz"
        case let .fixedSizeBinary(width): return "w:\(width)"
        case let .date(days): return days ? "tdD" : "tdm"
        case let .time(u, _): return "tt" + unit(u)
        case let .timestamp(u, zone): return "ts" + unit(u) + ":" + (zone ?? "")
        case let .duration(u): return "tD" + unit(u)
        case let .interval(u): return u == .yearMonth ? "tiM" : u == .dayTime ? "tiD" : "tin"
        case .list: return "+l"
        case .largeList: return "+L"
        case .listView: return "+vl"
        case .largeListView: return "+vL"
        case let .fixedSizeList(size): return "+w:\(size)"
        case .struct: return "+s"
        case .map: return "+m"
        case let .union(mode, ids):
            return (mode == .dense ? "+ud:" : "+us:") + ids.map(String.init).joined(separator: ",")
        }
    }

    /// Whether buffer 0 of this type's C array is a validity bitmap.
    var hasValidityBuffer: Bool {
        switch self {
        case .null, .union: false
        default: true
        }
    }
}

/// Builds C nodes. Each node's private_data is a retained box that frees its allocations.
enum CDataExport {
    /// Stands in for absent non-validity buffers (e.g. the offsets of an empty array): the
    /// interface wants a readable pointer, and the consumer may read offset 0.
    nonisolated(unsafe) static let zeros: UnsafeMutableRawPointer = {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: 64)
        return pointer
    }()

    final class SchemaBox {
        var strings: [UnsafeMutablePointer<CChar>] = []
        var metadata: UnsafeMutableRawPointer?
        var children: UnsafeMutablePointer<UnsafeMutablePointer<ArrowSchema>?>?
        var childCount = 0
        var dictionary: UnsafeMutablePointer<ArrowSchema>?

        deinit {
            for string in strings { string.deallocate() }
            metadata?.deallocate()
            children?.deallocate()
        }
    }

    static func cString(_ text: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(text.utf8)
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
        for (index, byte) in utf8.enumerated() { pointer[index] = CChar(bitPattern: byte) }
        pointer[utf8.count] = 0
        return pointer
    }

    /// The C interface's metadata encoding: int32 count, then (int32 length, bytes) for each key and value.
    static func metadataBlob(_ pairs: [ArrowKeyValue]) -> UnsafeMutableRawPointer? {
        guard !pairs.isEmpty else { return nil }
        var bytes: [UInt8] = []
        func int32(_ value: Int) { withUnsafeBytes(of: Int32(truncatingIfNeeded: value).littleEndian) { bytes += $0 } }
        int32(pairs.count)
        for pair in pairs {
            int32(pair.key.utf8.count); bytes += pair.key.utf8
            int32(pair.value.utf8.count); bytes += pair.value.utf8
        }
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 8)
        bytes.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return pointer
    }

    static func fillSchema(_ target: UnsafeMutablePointer<ArrowSchema>, _ field: ArrowField) {
        let box = SchemaBox()
        let format = cString(field.cFormat), name = cString(field.name)
        box.strings = [format, name]
        box.metadata = metadataBlob(field.metadata)
        var flags: Int64 = field.nullable ? Int64(ARROW_FLAG_NULLABLE) : 0
        if let encoding = field.dictionary {
            if encoding.isOrdered { flags |= Int64(ARROW_FLAG_DICTIONARY_ORDERED) }
            var values = field
            values.dictionary = nil
            let dictionary = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
            fillSchema(dictionary, values)
            box.dictionary = dictionary
        } else {
            if case .map(true) = field.type { flags |= Int64(ARROW_FLAG_MAP_KEYS_SORTED) }
            if !field.children.isEmpty {
                let children = UnsafeMutablePointer<UnsafeMutablePointer<ArrowSchema>?>.allocate(capacity: field.children.count)
                for (index, child) in field.children.enumerated() {
                    let node = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
                    fillSchema(node, child)
                    children[index] = node
                }
                box.children = children
                box.childCount = field.children.count
            }
        }
        target.initialize(to: ArrowSchema(
            format: UnsafePointer(format), name: UnsafePointer(name), metadata: box.metadata.map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) },
            flags: flags, n_children: Int64(box.childCount), children: box.children, dictionary: box.dictionary,
            release: releaseSchema, private_data: Unmanaged.passRetained(box).toOpaque()))
    }

    final class ArrayBox {
        /// The storage of the buffers the C node points into, kept alive until release.
        var owners: [AnyObject] = []
        var buffers: UnsafeMutablePointer<UnsafeRawPointer?>?
        var children: UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>?
        var childCount = 0
        var dictionary: UnsafeMutablePointer<ArrowArray>?

        deinit {
            buffers?.deallocate()
            children?.deallocate()
        }
    }

    static func fillArray(_ target: UnsafeMutablePointer<ArrowArray>, _ data: ArrayData, _ field: ArrowField) {
        let box = ArrayBox()
        let validityIndex = field.dictionary != nil || field.type.hasValidityBuffer ? 0 : -1
        if !data.buffers.isEmpty {
            let pointers = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: data.buffers.count)
            for (index, buffer) in data.buffers.enumerated() {
                if let buffer {
                    // The box holds the storage until the consumer releases this node (see ArrowBuffer).
                    box.owners.append(buffer.owner)
                    pointers[index] = buffer.base
                } else {
                    pointers[index] = index == validityIndex ? nil : UnsafeRawPointer(zeros)
                }
            }
            box.buffers = pointers
        }
        if let dictionary = data.dictionary {
            var values = field
            values.dictionary = nil
            let node = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
            fillArray(node, dictionary, values)
            box.dictionary = node
        } else if !data.children.isEmpty {
            let children = UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>.allocate(capacity: data.children.count)
            for (index, child) in data.children.enumerated() {
                let node = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
                fillArray(node, child, field.children[index])
                children[index] = node
            }
            box.children = children
            box.childCount = data.children.count
        }
        target.initialize(to: ArrowArray(
            length: Int64(data.length), null_count: Int64(data.nullCount), offset: Int64(data.offset),
            n_buffers: Int64(data.buffers.count), n_children: Int64(box.childCount),
            buffers: box.buffers, children: box.children, dictionary: box.dictionary,
            release: releaseArray, private_data: Unmanaged.passRetained(box).toOpaque()))
    }
}

/// ArrowSchema.release: releases the children and dictionary the consumer has not moved out,
/// frees their structs, then this node's box; marks the node released.
private func releaseSchema(_ schema: UnsafeMutablePointer<ArrowSchema>?) {
    guard let schema, schema.pointee.release != nil, let opaque = schema.pointee.private_data else { return }
    let box = Unmanaged<CDataExport.SchemaBox>.fromOpaque(opaque)
    let node = box.takeUnretainedValue()
    for index in 0..<node.childCount {
        guard let child = node.children?[index] else { continue }
        if let release = child.pointee.release { release(child) }
        child.deallocate()
    }
    if let dictionary = node.dictionary {
        if let release = dictionary.pointee.release { release(dictionary) }
        dictionary.deallocate()
    }
    schema.pointee.release = nil
    schema.pointee.private_data = nil
    box.release()
}

/// ArrowArray.release: same discipline as ``releaseSchema``; dropping the box releases the storage.
private func releaseArray(_ array: UnsafeMutablePointer<ArrowArray>?) {
    guard let array, array.pointee.release != nil, let opaque = array.pointee.private_data else { return }
    let box = Unmanaged<CDataExport.ArrayBox>.fromOpaque(opaque)
    let node = box.takeUnretainedValue()
    for index in 0..<node.childCount {
        guard let child = node.children?[index] else { continue }
        if let release = child.pointee.release { release(child) }
        child.deallocate()
    }
    if let dictionary = node.dictionary {
        if let release = dictionary.pointee.release { release(dictionary) }
        dictionary.deallocate()
    }
    array.pointee.release = nil
    array.pointee.private_data = nil
    box.release()
}
