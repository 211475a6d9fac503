import Foundation

/// One chunk of a result as its manifest lays it out. A re-executed query may continue a saved copy
/// only if its first chunks are laid out exactly as the saved ones: same rows, same boundaries.
public struct ChunkSpan: Sendable, Equatable, Codable {
    public var rowOffset: Int64
    public var rowCount: Int64

    public init(rowOffset: Int64, rowCount: Int64) { self.rowOffset = rowOffset; self.rowCount = rowCount }
}

/// The settings that decide which rows a copy holds and how they arrive: a saved copy continues only
/// under the same ones.
public struct RowShape: Sendable, Equatable, Codable {
    public struct Column: Sendable, Equatable, Codable {
        public var name: String
        public var sourceType: String
        public var targetType: String
    }

    public var columns: [Column]
    public var filter: String?
    public var mode: String
    /// The strategy decides the wire format (JSON or Arrow), and so the chunk layout.
    public var strategy: String
    public var compression: String

    public init(columns: [PlannedColumn], filter: String?, mode: SyncMode, strategy: LoadStrategy, compression: WireCompression) {
        self.columns = columns.map { Column(name: $0.name, sourceType: $0.sourceType, targetType: $0.targetType) }
        self.filter = filter; self.mode = mode.rawValue; self.strategy = strategy.rawValue; self.compression = compression.rawValue
    }

    /// What differs from `other`, in words (nil when nothing does).
    public func difference(from other: RowShape) -> String? {
        var changed: [String] = []
        if columns != other.columns { changed.append("columns") }
        if filter != other.filter { changed.append("where") }
        if mode != other.mode { changed.append("mode (\(other.mode) -> \(mode))") }
        if strategy != other.strategy { changed.append("strategy (\(other.strategy) -> \(strategy))") }
        if compression != other.compression { changed.append("compression") }
        return changed.isEmpty ? nil : changed.joined(separator: ", ")
    }
}

/// How far an interrupted full copy got, saved in the target (`_dbduck.progress`) in the same
/// transaction as the rows it counts: the staging table holds exactly the rows of the first
/// ``chunksDone`` chunks of the statement's result.
public struct CopyProgress: Sendable, Equatable, Codable {
    /// `schema.table` in the target.
    public var target: String
    public var source: String
    /// The Delta version the rows are read at; a resumed copy reads at this one too.
    public var version: Int64?
    public var statementID: String
    public var statementSQL: String
    public var shape: RowShape
    /// The result's chunks, in order, as its manifest laid them out.
    public var chunks: [ChunkSpan]
    public var totalRows: Int64
    public var chunksDone: Int
    public var rowsDone: Int64
    /// Bytes received for the chunks done, over every run of this copy.
    public var bytesDone: Int64
    /// The stable name of the staging table holding the rows.
    public var stagingTable: String
    public var updatedAt: Date

    public var rowsLeft: Int64 { max(0, totalRows - rowsDone) }
    public var chunksLeft: Int { max(0, chunks.count - chunksDone) }

    public init(target: String, source: String, version: Int64?, statementID: String, statementSQL: String, shape: RowShape,
                chunks: [ChunkSpan], totalRows: Int64, chunksDone: Int = 0, rowsDone: Int64 = 0, bytesDone: Int64 = 0,
                stagingTable: String, updatedAt: Date = Date()) {
        self.target = target; self.source = source; self.version = version; self.statementID = statementID
        self.statementSQL = statementSQL; self.shape = shape; self.chunks = chunks; self.totalRows = totalRows
        self.chunksDone = chunksDone; self.rowsDone = rowsDone; self.bytesDone = bytesDone; self.stagingTable = stagingTable
        self.updatedAt = updatedAt
    }

    /// Whether `layout` starts with the chunks already copied, boundary for boundary.
    public func prefixMatches(_ layout: [ChunkSpan]) -> Bool {
        layout.count >= chunksDone && chunks.count >= chunksDone && Array(layout.prefix(chunksDone)) == Array(chunks.prefix(chunksDone))
    }
}
