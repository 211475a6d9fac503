/// A plain-text table with aligned columns (numbers right-aligned), for terminal reports.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    /// Columns whose cells are right-aligned.
    var rightAligned: Set<Int>

    init(_ header: [String], rightAligned: Set<Int> = []) {
        self.header = header; self.rightAligned = rightAligned
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render(indent: String = "  ") -> String {
        let all = [header] + rows
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ row: [String]) -> String {
            var cells: [String] = []
            for (i, width) in widths.enumerated() {
                let cell = i < row.count ? row[i] : ""
                let pad = String(repeating: " ", count: width - cell.count)
                cells.append(rightAligned.contains(i) ? pad + cell : cell + pad)
            }
            return indent + cells.joined(separator: "  ").replacing(/\s+$/, with: "")
        }
        let rule = indent + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}
