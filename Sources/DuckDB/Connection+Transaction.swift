extension Connection {
    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
    ///
    /// ```swift
    /// try connection.transaction { try connection.execute("DROP TABLE a; ALTER TABLE b RENAME TO a") }
    /// ```
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN TRANSACTION")
        let value: T
        do {
            value = try body()
        } catch {
            try? execute("ROLLBACK")   // the original error is the one worth reporting
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")   // a failed COMMIT leaves the transaction aborted
            throw error
        }
        return value
    }
}
