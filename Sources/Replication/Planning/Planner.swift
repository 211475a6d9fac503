import Databricks
import Foundation

/// Turns a config into a ``ReplicationPlan``: expands patterns, reads each table's columns, pins its
/// Delta version (a view has none: it is read as it is) and chooses a strategy and a sync mode, all before any row moves.
///
/// Round trips are what a copy of many small tables costs, so the planner asks only what the run
/// needs: columns from Unity Catalog's REST API (no warehouse time), the version from one statement,
/// and, for ``Depth/copy``, no `COUNT(*)` (the result's manifest gives the same number) and no
/// `DESCRIBE DETAIL` unless a sync mode needs the table id. Tables are planned several at a time.
public struct Planner: Sendable {
    /// How much to ask about each table.
    public enum Depth: Sendable {
        /// What `dbduck plan` shows: row counts and sizes too.
        case display
        /// What a copy needs, nothing more.
        case copy
    }

    public var catalog: any WarehouseCatalog
    public var config: ReplicationConfig
    public var targetPath: String
    /// Where each table's incremental sync stands in the target, by lower-cased `schema.table`.
    public var states: [String: SyncState]
    /// The interrupted full copies saved in the target, by lower-cased `schema.table`.
    public var progress: [String: CopyProgress]
    public var depth: Depth
    /// Tables asked about at once. Planning a table holds no memory budget, only a small metadata
    /// statement in flight, so it goes wider than the copies do: its time is round trips.
    public var width = 16

    public init(catalog: any WarehouseCatalog, config: ReplicationConfig, targetPath: String, states: [String: SyncState] = [:],
                progress: [String: CopyProgress] = [:], depth: Depth = .display) {
        self.catalog = catalog; self.config = config; self.targetPath = targetPath; self.states = states
        self.progress = progress; self.depth = depth
    }

    public func plan() async throws -> ReplicationPlan {
        let selected = try await expandWithListings()
        var tables = [PlannedTable?](repeating: nil, count: selected.count)
        var unavailable = [UnavailableTable?](repeating: nil, count: selected.count)
        try await withThrowingTaskGroup(of: (Int, Result<PlannedTable, TableUnavailable>).self) { group in
            var next = 0
            func startNext() {
                guard next < selected.count else { return }
                let index = next
                let table = PlanningWork(name: selected[index].0, selection: selected[index].1, listed: selected[index].2)
                next += 1
                group.addTask {
                    // A table the warehouse cannot serve fails alone; the others are still copied.
                    do {
                        return (index, .success(try await planTable(table.name, table.selection, listed: table.listed)))
                    } catch let failure as TableUnavailable {
                        return (index, .failure(failure))
                    }
                }
            }
            for _ in 0..<max(1, width) { startNext() }
            while let (index, result) = try await group.next() {
                switch result {
                case .success(let table): tables[index] = table
                case .failure(let failure):
                    let (schema, table) = (try? targetName(for: selected[index].0, selected[index].1)) ?? (selected[index].0.schema, selected[index].0.table)
                    unavailable[index] = UnavailableTable(source: selected[index].0.description, target: "\(schema).\(table)", reason: failure.message)
                }
                startNext()
            }
        }
        let planned = tables.compactMap { $0 }
        try checkTargetsAreDistinct(planned)
        var plan = ReplicationPlan(targetPath: targetPath, tables: planned, settings: ReplicationSettings(config, tables: planned.count))
        plan.settings.chooseThreads(for: planned.map(\.strategy))
        plan.settings.chooseRowInserters(for: planned.map(\.strategy), cores: ProcessInfo.processInfo.activeProcessorCount)
        for index in plan.tables.indices where plan.tables[index].strategy == .basic {
            plan.tables[index].rowInserters = plan.settings.rowInserters ?? 1
        }
        plan.unavailable = unavailable.compactMap { $0 }
        return plan
    }

    // MARK: selection

    /// Every table the config names, patterns expanded, in config order, each once.
    public func expand() async throws -> [(TableName, TableSelection)] {
        try await expandWithListings().map { ($0.0, $0.1) }
    }

    /// ``expand()``, with each table's description when a pattern's listing gave it.
    func expandWithListings() async throws -> [(TableName, TableSelection, SourceTable?)] {
        guard !config.tables.isEmpty else { throw PlanError("no tables to copy. Name tables on the command line or in `tables:` of dbduck.yml.") }
        var result: [(TableName, TableSelection, SourceTable?)] = []
        var seen = Set<String>()
        for selection in config.tables {
            guard let pattern = TableName(parsing: selection.name) else {
                throw PlanError("'\(selection.name)' is not a three-part table name. Write catalog.schema.table (a part may be `*`).")
            }
            var excludes: [TableName] = []
            for text in selection.exclude {
                guard let exclude = TableName(parsing: text) else {
                    throw PlanError("exclude pattern '\(text)' of \(selection.name) is not three-part. Write catalog.schema.table_*.")
                }
                excludes.append(exclude)
            }
            guard config.only.mayAdmit(tablesOf: pattern) else { continue }   // not picked: not even listed
            let names = pattern.isPattern ? try await matching(pattern) : [(pattern, nil)]
            let kept = names.filter { name, _ in !excludes.contains { $0.matches(name) } }
            if pattern.isPattern && kept.isEmpty {
                throw PlanError("\(selection.name) matches no table\(names.isEmpty ? "" : " once excludes apply"). `dbduck tables '\(selection.name)'` lists what the source has.")
            }
            for (name, listed) in kept where config.only.admits(name) && seen.insert(name.description.lowercased()).inserted {
                result.append((name, selection, listed))
            }
        }
        if let missing = config.only.unmatched(by: result.map(\.0)).first {
            throw PlanError("\(missing) is not among the tables the config's `tables:` selects. With --config, tables on the command line pick among the config's; add it to `tables:`, or run without --config.")
        }
        return result
    }

    /// The tables a pattern matches, described from the schema's listing where the catalog can.
    private func matching(_ pattern: TableName) async throws -> [(TableName, SourceTable?)] {
        func pick(_ part: String, _ what: String, _ all: () async throws -> [String]) async throws -> [String] {
            let isPattern = part.contains("*") || part.contains("?")
            do {
                return isPattern ? try await all().filter { Glob.matches(part, $0) }.sorted() : [part]
            } catch {
                throw Self.listingFailure(error, pattern: pattern, what: what)
            }
        }
        var names: [(TableName, SourceTable?)] = []
        for c in try await pick(pattern.catalog, "catalogs", { try await catalog.catalogs() }) {
            for s in try await pick(pattern.schema, "the schemas of \(c)", { try await catalog.schemas(in: c) }) {
                let tables: [String]
                var described: [String: SourceTable] = [:]
                do {
                    if let all = try await catalog.describeAll(in: c, schema: s) {
                        described = all
                        tables = Array(all.keys)
                    } else {
                        tables = try await catalog.tables(in: c, schema: s)
                    }
                } catch {
                    throw Self.listingFailure(error, pattern: pattern, what: "the tables of \(c).\(s)")
                }
                for t in tables.sorted() where Glob.matches(pattern.table, t) {
                    names.append((TableName(catalog: c, schema: s, table: t), described[t]))
                }
            }
        }
        return names
    }

    /// A listing the workspace refused for this request (no such catalog or schema, no access) is
    /// the config's to fix; a workspace that cannot answer at all stops the run.
    static func listingFailure(_ error: any Error, pattern: TableName, what: String) -> any Error {
        let message = "cannot list \(what): \(ErrorText.clause(error))."
        guard ErrorText.blamesTheRequest(error) else { return RunFailure("\(pattern): \(message)") }
        return PlanError("\(pattern) matches no table: \(message) `dbduck tables` lists what the source has.")
    }

    // MARK: one table

    func planTable(_ name: TableName, _ selection: TableSelection, listed: SourceTable? = nil) async throws -> PlannedTable {
        let mode = selection.mode ?? config.defaults.mode
        let source: SourceTable
        // A listing's description serves unless the sync mode may need the PRIMARY KEY it leaves out.
        if let listed, listed.primaryKeyKnown || mode == .full || selection.primaryKey != nil {
            source = listed
        } else {
            do { source = try await catalog.describe(name) } catch {
                throw TableUnavailable.orRunFailure(error, "\(name): cannot read the table's columns: \(ErrorText.clause(error))." + (ErrorText.blamesTheRequest(error) ? " Check the name (`dbduck tables '\(name.catalog).\(name.schema).*'`) and your access to it." : ""))
            }
        }
        var columns = source.columns
        if let wanted = selection.columns {
            columns = []
            for column in wanted {
                guard let found = source.columns.first(where: { $0.name.lowercased() == column.lowercased() }) else {
                    throw PlanError("\(name) has no column '\(column)'\(selection.line.map { " (config line \($0))" } ?? ""). Its columns: \(source.columns.map(\.name).joined(separator: ", ")).")
                }
                columns.append(found)
            }
        }
        var planned: [PlannedColumn] = []
        for column in columns {
            do {
                let type = try DatabricksType(parsing: column.typeText)
                planned.append(PlannedColumn(name: column.name, sourceType: column.typeText,
                                             targetType: TypeMapping.duckDBType(type),
                                             nullable: column.nullable, comment: column.comment))
            } catch {
                throw PlanError("\(name).\(column.name): \(ErrorText.clause(error)). Leave the column out with `columns:` in dbduck.yml.")
            }
        }
        let (targetSchema, targetTable) = try targetName(for: name, selection)
        let choice = selection.strategy ?? config.defaults.strategy
        let checkpoints = selection.checkpointEvery ?? config.defaults.checkpointEvery
        let shape = RowShape(columns: planned, filter: selection.filter, mode: mode,
                             strategy: StrategyAdvisor.choose(choice, rows: nil, bytes: nil, columns: planned).0,
                             compression: config.defaults.compression)
        let target = "\(targetSchema).\(targetTable)".lowercased()
        var kind = source.kind
        var resume = progress[target].map {
            ResumePlan.decide($0, source: name.description, shape: shape, checkpoints: checkpoints, restart: config.defaults.restart)
        } ?? ResumePlan(shape: shape)
        var detail = SourceDetail(properties: source.properties)
        // DESCRIBE DETAIL describes Delta tables only; a view has no size, files or table id.
        if !kind.isView && (depth == .display || mode != .full) {
            detail = (try? await catalog.detail(of: name)) ?? detail
            detail.properties.merge(source.properties) { delta, _ in delta }
        }
        var table: PlannedTable
        repeat {
            // A copy that continues reads at the version it started at, whatever the source holds now.
            let version: Int64?
            if kind.isView {
                version = nil
            } else if let saved = resume.from { version = saved.version } else {
                do { version = try await catalog.currentVersion(of: name) } catch where ErrorText.clause(error).contains("EXPECT_TABLE_NOT_VIEW") {
                    // Unity Catalog REST did not say (the SQL fallback has no table type); the warehouse did.
                    kind = .view
                    version = nil
                } catch {
                    throw TableUnavailable.orRunFailure(error, "\(name): cannot read its Delta version: \(ErrorText.clause(error)).")
                }
            }
            if kind.isView, resume.from != nil {
                // Nothing pins a view, so rows saved by an earlier run may belong to another state of it.
                resume.discarded = "\(name) is a \(kind.rawValue), which has no Delta version to pin: a continued copy could mix rows of two states of it, so this run copies it from the start"
            }
            var viewSource = source
            viewSource.kind = kind
            table = PlannedTable(source: name.description, targetSchema: targetSchema, targetTable: targetTable,
                                 columns: planned, filter: selection.filter, strategy: .streaming,
                                 strategyReason: "", chunkSize: selection.chunkSize ?? config.defaults.chunkSize, version: version,
                                 rowCount: nil, sizeBytes: detail.sizeBytes, numFiles: detail.numFiles, comment: source.comment)
            table.sourceKind = kind
            table.pin = table.pinText
            table.checkpointEvery = checkpoints
            table.sync = try SyncResolver(name: name, selection: selection, defaults: config.defaults, source: viewSource,
                                          detail: detail, columns: planned, version: version,
                                          previous: states[target]).resolve()
            guard let saved = resume.from else { break }
            if table.sync.isIncremental {
                resume.discarded = "this run applies only the changes since the last sync"
            } else if table.selectSQL != saved.statementSQL {
                resume.discarded = "the query changed"
            } else {
                break
            }
        } while true
        table.resume = resume
        table.targetHasSyncState = states[target] != nil
        let size = detail.sizeBytes
        // A full copy learns the count from its result's manifest. An apply derives it (merge from the
        // source's key set, cdf from the copy's count and what the window inserted and deleted), so
        // only a checksum verification of a cdf apply asks the warehouse for it as well.
        if Self.asksCount(table.sync, depth: depth, verify: config.defaults.verify) {
            do { table.rowCount = try await catalog.scalarInteger(table.countSQL) } catch {
                throw TableUnavailable.orRunFailure(error,"\(name): cannot count its rows\(selection.filter.map { " with where: \($0)" } ?? ""): \(ErrorText.clause(error)).")
            }
        }
        (table.strategy, table.strategyReason) = StrategyAdvisor.choose(choice, rows: table.rowCount, bytes: size, columns: planned)
        // The size is the whole table's: a filtered read is estimated from its rows alone.
        let readBytes = selection.filter == nil && table.limit == nil ? size : nil
        table.estimatedSeconds = table.rowCount.flatMap { StrategyAdvisor.estimatedSeconds(table.strategy, rows: $0, bytes: readBytes) }
        return table
    }

    /// Whether planning runs the table's COUNT(*) on the warehouse.
    static func asksCount(_ sync: SyncPlan, depth: Depth, verify: Verification) -> Bool {
        if depth == .display { return true }
        return sync.isIncremental && sync.mode == .cdf && sync.deletes != .ignore && verify == .checksum
    }

    private func targetName(for name: TableName, _ selection: TableSelection) throws -> (String, String) {
        guard let target = selection.target else { return (name.schema, name.table) }
        let parts = target.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1 where !parts[0].isEmpty: return (name.schema, parts[0])
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty: return (parts[0], parts[1])
        default: throw PlanError("target '\(target)' of \(name) must be `table` or `schema.table`.")
        }
    }

    private func checkTargetsAreDistinct(_ tables: [PlannedTable]) throws {
        var byTarget: [String: PlannedTable] = [:]
        for table in tables {
            if table.targetSchema.lowercased() == RunRecords.schema {
                throw PlanError("\(table.source) would land in schema \(RunRecords.schema), which dbduck keeps for its run records. Give it a `target:`.")
            }
            // DuckDB matches identifiers case-insensitively, so Orders and orders are one table.
            let key = table.target.lowercased()
            if let other = byTarget[key] {
                throw PlanError("\(other.source) and \(table.source) would both land on \(table.target). Give one of them a `target:` in dbduck.yml.")
            }
            byTarget[key] = table
        }
    }
}

/// One table to plan, as a planning task receives it.
private struct PlanningWork: Sendable {
    var name: TableName
    var selection: TableSelection
    var listed: SourceTable?
}

