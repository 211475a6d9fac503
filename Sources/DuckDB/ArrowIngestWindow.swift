import CArrowData

/// Shallow C structs over someone else's Arrow data: row windows of a struct array (for DuckDB's
/// one-vector-per-call conversion) and empty arrays (to learn DuckDB's type mapping).
///
/// The structs own only themselves: their release callbacks free the struct memory made here and
/// never touch the buffers, which stay owned by the array they were made from.
enum ArrowWindow {
    /// Frees the child structs of a window or empty array.
    final class Box {
        var children: UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>?
        var childCount = 0
        var buffers: UnsafeMutablePointer<UnsafeRawPointer?>?
        var dictionary: UnsafeMutablePointer<ArrowArray>?
        /// For windows: child structs are copies whose own release must not run the source's.
        var ownsChildrenDeeply = false

        deinit {
            for index in 0..<childCount {
                guard let child = children?[index] else { continue }
                if ownsChildrenDeeply, let release = child.pointee.release { release(child) }
                child.deallocate()
            }
            if let dictionary {
                if let release = dictionary.pointee.release { release(dictionary) }
                dictionary.deallocate()
            }
            children?.deallocate()
            buffers?.deallocate()
        }
    }

    /// Zero bytes standing in for every buffer of an empty array (offsets[0] = 0 and so on).
    nonisolated(unsafe) static let zeros: UnsafeMutableRawPointer = {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: 64)
        return pointer
    }()

    /// A top-level struct of `count` rows from `start`: each column struct is copied with its
    /// offset advanced by the parent's offset plus `start`. Data, children and dictionaries are shared.
    static func make(of source: UnsafeMutablePointer<ArrowArray>, start: Int, count: Int) -> UnsafeMutablePointer<ArrowArray> {
        let parent = source.pointee
        let box = Box()
        let columns = Int(parent.n_children)
        if columns > 0 {
            let children = UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>.allocate(capacity: columns)
            for index in 0..<columns {
                let copy = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
                var column = parent.children?[index]?.pointee ?? ArrowArray()
                column.offset += parent.offset + Int64(start)
                column.length = Int64(count)
                if column.null_count != 0 { column.null_count = -1 }   // unknown within the window
                column.release = releaseShallowChild
                column.private_data = nil
                copy.initialize(to: column)
                children[index] = copy
            }
            box.children = children
            box.childCount = columns
        }
        let window = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
        window.initialize(to: ArrowArray(length: Int64(count), null_count: 0, offset: 0, n_buffers: parent.n_buffers,
                                         n_children: Int64(columns), buffers: parent.buffers, children: box.children,
                                         dictionary: nil, release: releaseWindow,
                                         private_data: Unmanaged.passRetained(box).toOpaque()))
        return window
    }

    /// Frees a window struct after DuckDB moved out of it (or releases it if DuckDB did not).
    static func discard(_ window: UnsafeMutablePointer<ArrowArray>) {
        if let release = window.pointee.release { release(window) }
        window.deallocate()
    }

    /// An empty array of the schema's shape, every buffer pointing at zeros.
    static func empty(for schema: UnsafeMutablePointer<ArrowSchema>) -> UnsafeMutablePointer<ArrowArray> {
        let node = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
        let box = Box()
        box.ownsChildrenDeeply = true
        let format = schema.pointee.format.map { String(cString: $0) } ?? "n"
        let bufferCount = schema.pointee.dictionary != nil ? 2 : bufferCount(format)
        if bufferCount > 0 {
            let buffers = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: bufferCount)
            for index in 0..<bufferCount { buffers[index] = UnsafeRawPointer(zeros) }
            box.buffers = buffers
        }
        let childCount = max(0, Int(schema.pointee.n_children))
        if childCount > 0 {
            let children = UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>.allocate(capacity: childCount)
            for index in 0..<childCount {
                if let child = schema.pointee.children?[index] { children[index] = empty(for: child) }
                else { children[index] = nil }
            }
            box.children = children
            box.childCount = childCount
        }
        if let dictionary = schema.pointee.dictionary { box.dictionary = empty(for: dictionary) }
        node.initialize(to: ArrowArray(length: 0, null_count: 0, offset: 0, n_buffers: Int64(bufferCount),
                                       n_children: Int64(childCount), buffers: box.buffers, children: box.children,
                                       dictionary: box.dictionary, release: releaseWindow,
                                       private_data: Unmanaged.passRetained(box).toOpaque()))
        return node
    }

    /// Buffers of a C array of this format (Arrow C Data Interface, "Format strings").
    static func bufferCount(_ format: String) -> Int {
        switch format {
        case "n", "+r": 0
        case "+s": 1
        case "+l", "+L", "+m": 2
        case "+vl", "+vL": 3
        case "u", "U", "z", "Z", "vu", "vz": 3
        default:
            if format.hasPrefix("+w:") || format.hasPrefix("+us:") { 1 }
            else if format.hasPrefix("+ud:") { 2 }
            else { 2 }
        }
    }
}

private func releaseWindow(_ array: UnsafeMutablePointer<ArrowArray>?) {
    guard let array, array.pointee.release != nil, let opaque = array.pointee.private_data else { return }
    array.pointee.release = nil
    array.pointee.private_data = nil
    Unmanaged<ArrowWindow.Box>.fromOpaque(opaque).release()
}

/// Window columns share the source's data: releasing one only marks it released.
private func releaseShallowChild(_ array: UnsafeMutablePointer<ArrowArray>?) {
    array?.pointee.release = nil
}
