import DuckDB
import Foundation

/// The rows one extra connection inserts for a `basic` load: a table of the staging table's columns
/// in the database's scratch catalog (in memory), created and filled inside that connection's own
/// transaction. Rolled back, it leaves nothing; committed, the load copies it and drops it.
final class ScratchPart {
    let inserter: RowInserter
    /// The part's table, qualified with the scratch catalog.
    let qualified: String
    private var committed = false

    init(database: Database, staging: StagingTable) throws {
        let catalog = try database.scratchCatalog()
        let connection = try database.connect()
        // Unique per part: tables of two schemas may share a name, and a resumed copy a staging name.
        qualified = "\(quoteIdentifier(catalog)).main.\(quoteIdentifier("part_\(UUID().uuidString)"))"
        try connection.execute("BEGIN TRANSACTION")
        try connection.execute(staging.createSQL(named: qualified))
        inserter = try RowInserter(connection: connection, into: qualified, columns: staging.plan.columns)
    }

    /// Makes the rows visible to the load's transaction, which must not have read the scratch
    /// catalog yet (see ``Database/scratchCatalog()``).
    func commit() throws {
        try inserter.connection.execute("COMMIT")
        committed = true
    }

    /// Rolls the part back, or drops it once committed and copied.
    func discard() {
        if committed {
            try? inserter.connection.execute("DROP TABLE IF EXISTS \(qualified)")
        } else {
            try? inserter.connection.execute("ROLLBACK")
        }
    }
}
