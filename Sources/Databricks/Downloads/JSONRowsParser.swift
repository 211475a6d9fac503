/// Reads a JSON_ARRAY result chunk — an array of rows, each an array of strings and nulls — into
/// rows of text, in one pass over the bytes.
///
/// The row strategies spend most of their time here, and a general JSON decoder builds a value per
/// cell before it becomes a string; this reads the one shape Databricks sends. Numbers and booleans,
/// which Databricks does not send, are accepted as their text. Anything else that is not valid JSON
/// (a cut body, a stray byte, invalid UTF-8, a lone surrogate escape) is refused with nil, so a
/// damaged download is retried rather than loaded.
enum JSONRowsParser {
    static func parse(_ bytes: UnsafeRawBufferPointer) -> [[String?]]? {
        var reader = Reader(bytes: bytes.bindMemory(to: UInt8.self))
        return reader.rows()
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0
        /// Scratch bytes for a string with escapes, reused across cells.
        var unescaped: [UInt8] = []

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func rows() -> [[String?]]? {
            skipSpace()
            guard take(UInt8(ascii: "[")) else { return nil }
            var rows: [[String?]] = []
            var width = 0
            skipSpace()
            if take(UInt8(ascii: "]")) { return atEnd() ? rows : nil }
            repeat {
                skipSpace()
                guard let row = row(reserving: width) else { return nil }
                width = row.count
                rows.append(row)
                skipSpace()
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "]")) else { return nil }
            return atEnd() ? rows : nil
        }

        private mutating func row(reserving width: Int) -> [String?]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var cells: [String?] = []
            cells.reserveCapacity(width)
            skipSpace()
            if take(UInt8(ascii: "]")) { return cells }
            repeat {
                skipSpace()
                guard let cell = value() else { return nil }
                cells.append(cell)
                skipSpace()
            } while take(UInt8(ascii: ","))
            return take(UInt8(ascii: "]")) ? cells : nil
        }

        /// One cell: `.some(nil)` for null, `nil` for invalid input.
        private mutating func value() -> String?? {
            guard at < bytes.count else { return nil }
            switch bytes[at] {
            case UInt8(ascii: "\""): return string().map { .some($0) }
            case UInt8(ascii: "n"): return literal("null") ? .some(nil) : nil
            case UInt8(ascii: "t"): return literal("true") ? .some("true") : nil
            case UInt8(ascii: "f"): return literal("false") ? .some("false") : nil
            default: return number().map { .some($0) }
            }
        }

        private mutating func string() -> String? {
            at += 1                                             // the opening quote
            let start = at
            while at < bytes.count {
                let byte = bytes[at]
                if byte == UInt8(ascii: "\"") {
                    let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
                    at += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
                if byte < 0x20 { return nil }                   // JSON strings hold no raw control characters
                at += 1
            }
            return nil
        }

        /// The rest of a string that holds escapes, from `start` (just after its opening quote).
        private mutating func escapedString(from start: Int) -> String? {
            unescaped.removeAll(keepingCapacity: true)
            unescaped.append(contentsOf: bytes[start..<at])
            while at < bytes.count {
                let byte = bytes[at]
                at += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(validating: unescaped, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard at < bytes.count else { return nil }
                    let escape = bytes[at]
                    at += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): unescaped.append(escape)
                    case UInt8(ascii: "b"): unescaped.append(0x08)
                    case UInt8(ascii: "f"): unescaped.append(0x0C)
                    case UInt8(ascii: "n"): unescaped.append(0x0A)
                    case UInt8(ascii: "r"): unescaped.append(0x0D)
                    case UInt8(ascii: "t"): unescaped.append(0x09)
                    case UInt8(ascii: "u"):
                        guard let scalar = unicodeEscape() else { return nil }
                        unescaped.append(contentsOf: String(Character(scalar)).utf8)
                    default: return nil
                    }
                default:
                    if byte < 0x20 { return nil }
                    unescaped.append(byte)
                }
            }
            return nil
        }

        /// `\uXXXX` after its `\u`, with a following `\uXXXX` when it is a surrogate pair.
        private mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let high = hex4() else { return nil }
            if (0xD800...0xDBFF).contains(high) {
                guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else { return nil }
                at += 2
                guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
            }
            return Unicode.Scalar(high)                         // nil for a lone low surrogate
        }

        private mutating func hex4() -> UInt32? {
            guard at + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[at]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
                at += 1
            }
            return value
        }

        /// A JSON number, as the text an integer or a double prints as.
        private mutating func number() -> String? {
            let start = at
            while at < bytes.count, Self.isNumberByte(bytes[at]) { at += 1 }
            guard at > start, let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self) else {
                return nil
            }
            if let integer = Int64(text) { return String(integer) }
            return Double(text).map { String($0) }
        }

        private static func isNumberByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                 UInt8(ascii: "e"), UInt8(ascii: "E"): return true
            default: return false
            }
        }

        private mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard at + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[at + offset] != word.utf8Start[offset] { return false }
            at += count
            return true
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard at < bytes.count, bytes[at] == byte else { return false }
            at += 1
            return true
        }

        private mutating func skipSpace() {
            while at < bytes.count {
                switch bytes[at] {
                case 0x20, 0x0A, 0x0D, 0x09: at += 1
                default: return
                }
            }
        }

        private func atEnd() -> Bool {
            var end = at
            while end < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[end]) { end += 1 }
            return end == bytes.count
        }
    }
}
