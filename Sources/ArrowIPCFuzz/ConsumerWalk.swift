import CArrowData

/// Reads an exported C array the way a consumer such as DuckDB does, trusting only the C Data
/// Interface: every value, offset, view, child range and dictionary index it implies. A wrong
/// length or offset in what we exported shows up as an AddressSanitizer report (a read past a
/// buffer) or as a failed precondition here (an offset a consumer would follow out of range).
enum ConsumerWalk {
    static func walk(_ schema: UnsafeMutablePointer<ArrowSchema>, _ array: UnsafeMutablePointer<ArrowArray>) {
        var sink: UInt64 = 0
        visit(schema.pointee, array.pointee, &sink)
        precondition(sink != 1 << 63)              // keep the reads from being optimized away
    }

    static func buffer(_ array: ArrowArray, _ index: Int) -> UnsafeRawPointer? {
        guard index < Int(array.n_buffers), let buffers = array.buffers else { return nil }
        return buffers[index]
    }

    static func readBytes(_ pointer: UnsafeRawPointer?, _ start: Int, _ count: Int, _ sink: inout UInt64) {
        guard count > 0 else { return }
        guard let pointer else { preconditionFailure("missing buffer for \(count) bytes") }
        for index in start..<(start + count) { sink &+= UInt64(pointer.load(fromByteOffset: index, as: UInt8.self)) }
    }

    static func int(_ pointer: UnsafeRawPointer?, _ index: Int, width: Int) -> Int {
        guard let pointer else { preconditionFailure("missing buffer") }
        switch width {
        case 1: return Int(pointer.load(fromByteOffset: index, as: Int8.self))
        case 2: return Int(pointer.loadUnaligned(fromByteOffset: index * 2, as: Int16.self))
        case 4: return Int(pointer.loadUnaligned(fromByteOffset: index * 4, as: Int32.self))
        default: return Int(pointer.loadUnaligned(fromByteOffset: index * 8, as: Int64.self))
        }
    }

    static func fixedWidth(_ format: String) -> Int? {
        switch format {
        case "c", "C": 1
        case "s", "S", "e": 2
        case "i", "I", "f", "tdD", "tts", "ttm", "tiM": 4
        case "l", "L", "g", "tdm", "ttu", "ttn", "tDs", "tDm", "tDu", "tDn", "tiD": 8
        case "tin": 16
        default:
            if format.hasPrefix("ts") { 8 }
            else if format.hasPrefix("w:") { Int(format.dropFirst(2)) }
            else if format.hasPrefix("d:") { format.split(separator: ",").count == 3 ? Int(format.split(separator: ",")[2]).map { $0 / 8 } : 16 }
            else { nil }
        }
    }

    static func visit(_ schema: ArrowSchema, _ array: ArrowArray, _ sink: inout UInt64) {
        guard let formatPointer = schema.format else { preconditionFailure("no format") }
        let format = String(cString: formatPointer)
        let offset = Int(array.offset), length = Int(array.length)
        precondition(offset >= 0 && length >= 0)
        let end = offset + length
        func child(_ index: Int) -> (ArrowSchema, ArrowArray) {
            guard let s = schema.children?[index], let a = array.children?[index] else { preconditionFailure("missing child \(index)") }
            return (s.pointee, a.pointee)
        }
        let hasValidity = format != "n" && !format.hasPrefix("+u")
        if hasValidity, length > 0, let validity = buffer(array, 0) {
            readBytes(validity, offset / 8, (end - 1) / 8 - offset / 8 + 1, &sink)
        }
        if hasValidity, length > 0, buffer(array, 0) == nil { precondition(array.null_count == 0, "nulls without a bitmap") }
        if let dictionarySchema = schema.dictionary {
            guard let dictionary = array.dictionary else { preconditionFailure("dictionary missing") }
            let width = fixedWidth(format) ?? 4
            for index in offset..<end {
                let value = int(buffer(array, 1), index, width: width)
                precondition(value >= 0 && value < Int(dictionary.pointee.length), "dictionary index out of range")
            }
            visit(dictionarySchema.pointee, dictionary.pointee, &sink)
            return
        }
        switch format {
        case "n": return
        case "b":
            if length > 0 { readBytes(buffer(array, 1), offset / 8, (end - 1) / 8 - offset / 8 + 1, &sink) }
        case "u", "z", "U", "Z":
            guard length > 0 else { return }
            let width = format == "U" || format == "Z" ? 8 : 4
            for index in offset..<end {
                let start = int(buffer(array, 1), index, width: width), stop = int(buffer(array, 1), index + 1, width: width)
                precondition(start >= 0 && stop >= start, "offsets decrease")
                readBytes(buffer(array, 2), start, stop - start, &sink)
            }
        case "vu", "vz":
            let dataBuffers = Int(array.n_buffers) - 3
            for index in offset..<end {
                guard let views = buffer(array, 1) else { preconditionFailure("no views") }
                let size = Int(views.loadUnaligned(fromByteOffset: index * 16, as: Int32.self))
                precondition(size >= 0)
                if size <= 12 { readBytes(views, index * 16 + 4, size, &sink); continue }
                let which = Int(views.loadUnaligned(fromByteOffset: index * 16 + 8, as: Int32.self))
                let start = Int(views.loadUnaligned(fromByteOffset: index * 16 + 12, as: Int32.self))
                precondition(which >= 0 && which < dataBuffers && start >= 0, "view names a missing buffer")
                readBytes(buffer(array, 2 + which), start, size, &sink)
            }
        case "+l", "+L", "+m":
            let (s, a) = child(0)
            let width = format == "+L" ? 8 : 4
            if length > 0 {
                for index in offset...end {
                    let value = int(buffer(array, 1), index, width: width)
                    precondition(value >= 0 && value <= Int(a.offset + a.length), "list offset past the child")
                    if index > offset { precondition(value >= int(buffer(array, 1), index - 1, width: width), "list offsets decrease") }
                }
            }
            visit(s, a, &sink)
        case "+vl", "+vL":
            let (s, a) = child(0)
            let width = format == "+vL" ? 8 : 4
            for index in offset..<end {
                let start = int(buffer(array, 1), index, width: width), size = int(buffer(array, 2), index, width: width)
                precondition(start >= 0 && size >= 0 && start + size <= Int(a.offset + a.length), "list view past the child")
            }
            visit(s, a, &sink)
        case "+s":
            for index in 0..<Int(array.n_children) {
                let (s, a) = child(index)
                precondition(Int(a.offset + a.length) >= end, "struct child too short")
                visit(s, a, &sink)
            }
        default:
            if format.hasPrefix("+w:") {
                let (s, a) = child(0)
                let size = Int(format.dropFirst(3)) ?? 0
                precondition(Int(a.offset + a.length) >= end * size, "fixed-size list child too short")
                visit(s, a, &sink)
            } else if format.hasPrefix("+u") {
                let ids = format.dropFirst(4).split(separator: ",").compactMap { Int($0) }
                let dense = format.hasPrefix("+ud")
                for index in offset..<end {
                    let id = int(buffer(array, 0), index, width: 1)
                    guard let which = ids.firstIndex(of: id) else { preconditionFailure("unknown union type id") }
                    let (_, a) = child(which)
                    if dense {
                        let at = int(buffer(array, 1), index, width: 4)
                        precondition(at >= 0 && at < Int(a.length), "dense union offset out of range")
                    } else {
                        precondition(Int(a.offset + a.length) >= end, "sparse union child too short")
                    }
                }
                for index in 0..<Int(array.n_children) { let (s, a) = child(index); visit(s, a, &sink) }
            } else if let width = fixedWidth(format) {
                readBytes(buffer(array, 1), offset * width, length * width, &sink)
            } else {
                preconditionFailure("unknown format \(format)")
            }
        }
    }
}
