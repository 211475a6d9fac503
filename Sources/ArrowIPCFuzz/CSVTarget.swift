import Databricks
import NIOCore

/// CSV bodies of external links, counted for the integrity check.
enum CSVTarget {
    static func run(_ input: ByteBuffer) {
        guard let records = CSVRecordCounter.count(input) else { return }
        // Every record but the last ends with a newline; none is counted out of nothing.
        let newlines = input.readableBytesView.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        precondition(records >= 0 && records <= Int64(newlines) + 1, "\(records) records from \(newlines) newlines")
        precondition(input.readableBytes > 0 || records == 0)
    }
}
