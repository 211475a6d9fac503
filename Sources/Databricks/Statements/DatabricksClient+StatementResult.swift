import Foundation

extension DatabricksClient {
    /// The result of a statement run earlier, while the warehouse still serves it: its manifest and
    /// fresh links (`GET /api/2.0/sql/statements/{id}`). Nil when it no longer does: the statement
    /// is CLOSED (expired or closed), CANCELED, FAILED, or unknown to the warehouse.
    ///
    /// - Parameters:
    ///   - format: the format the statement was run with (the manifest may leave it out).
    ///   - disposition: the disposition it was run with.
    public func servedResult(statementID: String, format: ResultFormat, disposition: ResultDisposition) async throws
        -> StatementResult?
    {
        let response: StatementResponseWire
        do {
            response = try await api.call(.GET, "/api/2.0/sql/statements/\(statementID)")
        } catch let error as DatabricksAPIError where error.status == 404 || error.status == 400 {
            return nil   // RESOURCE_DOES_NOT_EXIST, or an id this warehouse never issued
        }
        guard response.status?.state == "SUCCEEDED", let wire = response.manifest else { return nil }
        var result = StatementResult(statementID: statementID, manifest: try wire.manifest(requestedFormat: format),
                                     disposition: disposition)
        result.initial = response.result
        return result
    }
}
