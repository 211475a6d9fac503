import Foundation

// Decodable shapes of the Statement Execution API responses (docs/databricks-api.md). Unknown keys are
// ignored; every field is optional unless the API guarantees it.

struct StatementResponseWire: Decodable, Sendable {
    var statement_id: String?
    var status: StatusWire?
    var manifest: ManifestWire?
    var result: ResultDataWire?
}

struct StatusWire: Decodable, Sendable {
    var state: String
    var error: ServiceErrorWire?
    var sql_state: String?
}

struct ServiceErrorWire: Decodable, Sendable {
    var error_code: String?
    var message: String?
}

struct ManifestWire: Decodable, Sendable {
    var format: String?
    var schema: SchemaWire?
    var total_chunk_count: Int?
    var chunks: [ChunkInfoWire]?
    var total_row_count: Int64?
    var total_byte_count: Int64?
    var truncated: Bool?
    var result_compression: String?
}

struct SchemaWire: Decodable, Sendable {
    var column_count: Int?
    var columns: [ColumnWire]?
}

struct ColumnWire: Decodable, Sendable {
    var name: String
    var type_text: String?
    var type_name: String?
    var position: Int?
    var type_precision: Int?
    var type_scale: Int?
    var type_interval_type: String?
}

struct ChunkInfoWire: Decodable, Sendable {
    var chunk_index: Int
    var row_offset: Int64?
    var row_count: Int64?
    var byte_count: Int64?
}

/// `result` of a StatementResponse, or the body of `GET .../result/chunks/{i}`.
struct ResultDataWire: Decodable, Sendable {
    var chunk_index: Int?
    var row_offset: Int64?
    var row_count: Int64?
    var byte_count: Int64?
    var data_array: [[JSONCell]]?
    var external_links: [ExternalLinkWire]?
    var next_chunk_index: Int?
    var attachment: String?
}

struct ExternalLinkWire: Decodable, Sendable {
    var chunk_index: Int
    var row_offset: Int64?
    var row_count: Int64?
    var byte_count: Int64?
    var external_link: String
    var expiration: String?
    var http_headers: [String: String]?
}

/// One JSON_ARRAY cell: a string, or null. Numbers and booleans (not sent by Databricks, but
/// harmless) are kept as their JSON text.
struct JSONCell: Decodable, Sendable {
    var value: String?
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { value = nil; return }
        if let text = try? container.decode(String.self) { value = text; return }
        if let flag = try? container.decode(Bool.self) { value = flag ? "true" : "false"; return }
        if let integer = try? container.decode(Int64.self) { value = String(integer); return }
        if let number = try? container.decode(Double.self) { value = String(number); return }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "a JSON_ARRAY cell must be a string or null")
    }
}

extension ManifestWire {
    func manifest(requestedFormat: ResultFormat) throws -> ResultManifest {
        let format: ResultFormat
        if let name = self.format {
            guard let known = ResultFormat(rawValue: name) else {
                throw ResultError.unsupported("result format \(name)")
            }
            format = known
        } else {
            format = requestedFormat
        }
        let columns = (schema?.columns ?? []).enumerated().map { offset, column in
            ManifestColumn(name: column.name, typeText: column.type_text ?? column.type_name ?? "STRING",
                           typeName: column.type_name ?? column.type_text ?? "STRING", position: column.position ?? offset,
                           precision: column.type_precision, scale: column.type_scale,
                           intervalType: column.type_interval_type)
        }
        let chunkInfos = (chunks ?? []).map {
            ChunkInfo(index: $0.chunk_index, rowOffset: $0.row_offset ?? 0, rowCount: $0.row_count ?? 0, byteCount: $0.byte_count)
        }.sorted { $0.index < $1.index }
        return ResultManifest(format: format, columns: columns, totalRowCount: total_row_count ?? 0,
                              totalByteCount: total_byte_count, totalChunkCount: total_chunk_count ?? chunkInfos.count,
                              truncated: truncated ?? false, compression: result_compression, chunks: chunkInfos)
    }
}

/// An external link, parsed. Its URL and header values are secrets: they are never logged.
struct ExternalLink: Sendable {
    var chunkIndex: Int
    var rowOffset: Int64?
    var rowCount: Int64?
    var byteCount: Int64?
    var url: Secret
    var expiration: Date?
    var headers: [(String, Secret)]

    init(_ wire: ExternalLinkWire) {
        chunkIndex = wire.chunk_index; rowOffset = wire.row_offset; rowCount = wire.row_count; byteCount = wire.byte_count
        url = Secret(wire.external_link)
        expiration = wire.expiration.flatMap(ExternalLink.parseDate)
        headers = (wire.http_headers ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, Secret($0.value)) }
    }

    /// ISO-8601 with or without fractional seconds (`2024-11-08T15:20:17.922Z`).
    static func parseDate(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// Host and path only.
    var redacted: String { RedactedURL.describe(url.exposedValue) }
}
