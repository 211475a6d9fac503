/// A statement that reached SUCCEEDED: its id and result manifest. Read rows with
/// ``DatabricksClient/chunks(of:table:)``; free the result with ``DatabricksClient/close(statementID:)``.
public struct StatementResult: Sendable {
    public var statementID: String
    public var manifest: ResultManifest
    public var disposition: ResultDisposition
    /// Chunk data or links that came with the final status response.
    var initial: ResultDataWire?

    public init(statementID: String, manifest: ResultManifest, disposition: ResultDisposition) {
        self.statementID = statementID; self.manifest = manifest; self.disposition = disposition
    }

    /// The response carried the whole result (one inline chunk): closing the statement would free
    /// nothing worth a round trip.
    public var cameWhole: Bool { disposition == .inline && manifest.totalChunkCount <= 1 }

    /// The statement to close or cancel once its result is read or abandoned; nil when it came whole.
    public var statementToFree: String? { cameWhole ? nil : statementID }
}

/// The result's schema and chunk layout (`manifest` of the StatementResponse).
public struct ResultManifest: Sendable {
    public var format: ResultFormat
    public var columns: [ManifestColumn]
    public var totalRowCount: Int64
    public var totalByteCount: Int64?
    public var totalChunkCount: Int
    public var truncated: Bool
    /// `manifest.result_compression` as sent (`LZ4_FRAME`), nil when the server did not compress.
    public var compression: String?
    /// Per-chunk row offsets and counts, when the server listed them.
    public var chunks: [ChunkInfo]

    public init(format: ResultFormat, columns: [ManifestColumn], totalRowCount: Int64, totalByteCount: Int64?,
                totalChunkCount: Int, truncated: Bool, compression: String?, chunks: [ChunkInfo]) {
        self.format = format; self.columns = columns; self.totalRowCount = totalRowCount
        self.totalByteCount = totalByteCount; self.totalChunkCount = totalChunkCount; self.truncated = truncated
        self.compression = compression; self.chunks = chunks
    }
}

/// One column of the manifest schema, with Databricks' type spelling.
public struct ManifestColumn: Sendable, Equatable {
    public var name: String
    /// e.g. `DECIMAL(10,2)`, `ARRAY<INT>`.
    public var typeText: String
    /// e.g. `DECIMAL`, `LONG`, `TIMESTAMP_NTZ`.
    public var typeName: String
    public var position: Int
    public var precision: Int?
    public var scale: Int?
    public var intervalType: String?

    public init(name: String, typeText: String, typeName: String, position: Int, precision: Int? = nil,
                scale: Int? = nil, intervalType: String? = nil) {
        self.name = name; self.typeText = typeText; self.typeName = typeName; self.position = position
        self.precision = precision; self.scale = scale; self.intervalType = intervalType
    }
}

/// `manifest.chunks[i]`: where a chunk's rows sit in the result.
public struct ChunkInfo: Sendable, Equatable {
    public var index: Int
    public var rowOffset: Int64
    public var rowCount: Int64
    /// Uncompressed size (Arrow: the decompressed IPC length); absent for INLINE.
    public var byteCount: Int64?

    public init(index: Int, rowOffset: Int64, rowCount: Int64, byteCount: Int64?) {
        self.index = index; self.rowOffset = rowOffset; self.rowCount = rowCount; self.byteCount = byteCount
    }
}
