import DuckDB

/// The SQL of one table's load: a staging table created inside the load's transaction, swapped for
/// the target in the same transaction, so the target changes all at once or not at all.
struct StagingTable {
    let plan: PlannedTable
    let runID: String
    /// The target database's catalog name (its file name's stem). Every name is qualified with it:
    /// `demo.duckdb` holding schema `demo` makes a bare `demo.t` ambiguous.
    let catalog: String

    var schema: String { "\(quoteIdentifier(catalog)).\(quoteIdentifier(plan.targetSchema))" }
    /// A resumable copy's staging table outlives the run, so it has one name per target table, which
    /// the next run finds; any other is unique per run.
    var name: String {
        plan.isResumable ? "\(Self.resumablePrefix)\(plan.targetTable)" : "_dbduck_stage_\(runID.prefix(8))_\(plan.targetTable)"
    }
    static let resumablePrefix = "_dbduck_resume_"
    var qualified: String { "\(schema).\(quoteIdentifier(name))" }
    var target: String { "\(schema).\(quoteIdentifier(plan.targetTable))" }

    var createSQL: String { createSQL(named: qualified) }

    /// A table of the staging table's columns, named `qualified`.
    func createSQL(named qualified: String) -> String {
        let columns = plan.columns.map { c in
            "\(quoteIdentifier(c.name)) \(c.targetType)\(c.nullable ? "" : " NOT NULL")"
        }
        return "CREATE TABLE \(qualified) (\(columns.joined(separator: ", ")))"
    }

    /// Replaces the target by the staging table and carries the comments over.
    var swapSQL: [String] {
        var sql = ["DROP TABLE IF EXISTS \(target)",
                   "ALTER TABLE \(qualified) RENAME TO \(quoteIdentifier(plan.targetTable))"]
        if let comment = plan.comment, !comment.isEmpty {
            sql.append("COMMENT ON TABLE \(target) IS \(quoteLiteral(comment))")
        }
        for column in plan.columns {
            if let comment = column.comment, !comment.isEmpty {
                sql.append("COMMENT ON COLUMN \(target).\(quoteIdentifier(column.name)) IS \(quoteLiteral(comment))")
            }
        }
        return sql
    }

    /// `SELECT` list converting a landing table's columns (all VARCHAR text from JSON_ARRAY) to the
    /// staging types.
    var textConversionList: String {
        plan.columns.map { column in
            let input = quoteIdentifier(column.name)
            guard let type = column.databricksType else { return input }
            return TextConversion.expression(input, as: type)
        }.joined(separator: ", ")
    }

    /// `SELECT` list converting landing columns of the given DuckDB types (what DuckDB made of the
    /// Arrow fields) to the staging types; identical types pass through untouched.
    func arrowConversionList(landingTypes: [LogicalType], stagingTypes: [LogicalType]) -> String {
        zip(plan.columns, zip(landingTypes, stagingTypes)).map { column, types in
            let input = quoteIdentifier(column.name)
            let (landing, staging) = types
            if landing == staging { return input }
            // Nested values sent as JSON strings (a quirk some warehouses have): parse them, typed.
            if landing == .varchar, let type = column.databricksType {
                return TextConversion.expression(input, as: type)
            }
            return "CAST(\(input) AS \(column.targetType))"
        }.joined(separator: ", ")
    }
}
