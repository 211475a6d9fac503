/// How a table's copy follows its source from one run to the next.
public enum SyncMode: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Every run replaces the copy with the whole table (atomically).
    case full
    /// Rows whose cursor is at or after the last bookmark are added; rows at the bookmark that the
    /// copy already holds are not added again.
    case append
    /// Rows at or after the bookmark (every row without a cursor) are upserted by primary key.
    case merge
    /// The Delta change data feed since the last synced version: upserts and deletes by key.
    case cdf
    /// `cdf` when the table has the feed and a key, else `merge` with a key and a cursor, else
    /// `append` with a cursor, else `full`.
    case auto

    public var description: String { rawValue }
    public static let validNames = "full, append, merge, cdf, auto"
}

/// What a row deleted upstream becomes in the copy.
public enum DeletePolicy: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// The row is removed.
    case hard
    /// The row stays, with `_dbduck_deleted_at` set to when it was deleted.
    case soft
    /// The row stays as it was.
    case ignore

    public var description: String { rawValue }
    /// The column a soft delete sets.
    public static let deletedAtColumn = "_dbduck_deleted_at"
}
