/// One SQL statement to run on a warehouse (Statement Execution API 2.0, `POST /api/2.0/sql/statements`).
///
/// Values are bound as named parameters (`:name` markers), never spliced into the SQL text:
/// ```swift
/// let request = StatementRequest("SELECT * FROM \(SQLIdentifier.quote("t")) WHERE id > :min",
///                                parameters: [StatementParameter(name: "min", value: "10", type: "INT")],
///                                disposition: .externalLinks, format: .arrowStream, compression: .lz4Frame)
/// ```
public struct StatementRequest: Sendable {
    public var statement: String
    /// The warehouse; `nil` uses the workspace's.
    public var warehouseID: String?
    public var catalog: String?
    public var schema: String?
    public var parameters: [StatementParameter]
    public var disposition: ResultDisposition
    public var format: ResultFormat
    /// What to ask for; what arrives is decided by `manifest.result_compression`.
    public var compression: ResultCompression
    public var rowLimit: Int?
    public var byteLimit: Int?
    /// How long the execute call itself blocks: 0 (return at once, then poll) or 5...50 seconds.
    public var waitTimeoutSeconds: Int
    /// Called while the statement waits on the warehouse, with its state (PENDING, RUNNING) and the
    /// time since it was submitted: for a progress line that says what the run waits for.
    public var onWait: (@Sendable (_ state: String, _ elapsed: Duration) -> Void)?

    public init(_ statement: String, warehouseID: String? = nil, catalog: String? = nil, schema: String? = nil,
                parameters: [StatementParameter] = [], disposition: ResultDisposition = .inline,
                format: ResultFormat = .jsonArray, compression: ResultCompression = .none, rowLimit: Int? = nil,
                byteLimit: Int? = nil, waitTimeoutSeconds: Int = 10) {
        self.statement = statement; self.warehouseID = warehouseID; self.catalog = catalog; self.schema = schema
        self.parameters = parameters; self.disposition = disposition; self.format = format
        self.compression = compression; self.rowLimit = rowLimit; self.byteLimit = byteLimit
        self.waitTimeoutSeconds = waitTimeoutSeconds
    }
}

/// A named parameter: `value` nil is SQL NULL; `type` nil is STRING (e.g. `INT`, `DATE`, `DECIMAL(10,2)`).
public struct StatementParameter: Sendable, Equatable, Encodable {
    public var name: String
    public var value: String?
    public var type: String?

    public init(name: String, value: String?, type: String? = nil) {
        self.name = name; self.value = value; self.type = type
    }
}

public enum ResultDisposition: String, Sendable, Codable {
    case inline = "INLINE"
    case externalLinks = "EXTERNAL_LINKS"
    /// Undocumented "hybrid" mode the drivers use (docs/databricks-api.md): small ARROW_STREAM results
    /// come inline as a base64 `attachment`, larger ones as external links.
    case inlineOrExternalLinks = "INLINE_OR_EXTERNAL_LINKS"
}

public enum ResultFormat: String, Sendable, Codable {
    case jsonArray = "JSON_ARRAY"
    case arrowStream = "ARROW_STREAM"
    case csv = "CSV"
}

public enum ResultCompression: String, Sendable, Codable {
    case none = "NONE"
    case lz4Frame = "LZ4_FRAME"
}

/// The wire form of the request.
struct ExecuteStatementBody: Encodable, Sendable {
    var statement: String
    var warehouse_id: String
    var catalog: String?
    var schema: String?
    var parameters: [StatementParameter]?
    var disposition: String
    var format: String
    var wait_timeout: String
    var on_wait_timeout: String
    var row_limit: Int?
    var byte_limit: Int?
    var result_compression: String?
}
