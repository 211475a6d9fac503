/// Resolves a table's configured mode (maybe `auto`) against what the warehouse says about it and
/// what the target already holds, into a ``SyncPlan``; refuses what cannot work, before any row moves.
struct SyncResolver {
    var name: TableName
    var selection: TableSelection
    var defaults: TableDefaults
    var source: SourceTable
    var detail: SourceDetail
    var columns: [PlannedColumn]
    var version: Int64?
    var previous: SyncState?

    func resolve() throws -> SyncPlan {
        let configured = selection.mode ?? defaults.mode
        let deletes = selection.deletes ?? defaults.deletes
        let key = try keyColumns()
        let cursor = try cursorColumn()
        let cdfReady = detail.changeDataFeed && version != nil && selection.filter == nil
        var plan: SyncPlan
        switch configured {
        case .full:
            return .full
        case .auto:
            if cdfReady, let key {
                plan = SyncPlan(mode: .cdf, reason: "auto: the change data feed is on and the key is \(key.joined(separator: ", "))",
                                primaryKey: key)
            } else if let key, let cursor {
                plan = SyncPlan(mode: .merge, reason: "auto: key \(key.joined(separator: ", ")) and cursor \(cursor)\(cdfReady ? "" : ", no change data feed")",
                                primaryKey: key, cursor: cursor)
            } else if let cursor {
                plan = SyncPlan(mode: .append, reason: "auto: cursor \(cursor), no primary key", cursor: cursor)
            } else {
                return SyncPlan(mode: .full, reason: "auto: no change data feed with a key, and no cursor")
            }
        case .append:
            guard let cursor else { throw missing("a cursor", "append", example: "cursor: updated_at") }
            plan = SyncPlan(mode: .append, reason: "mode append by cursor \(cursor)", cursor: cursor)
        case .merge:
            guard let key else { throw missing("a primary key", "merge", example: "primary_key: [id]") }
            plan = SyncPlan(mode: .merge, reason: "mode merge by key \(key.joined(separator: ", "))" + (cursor.map { " from cursor \($0)" } ?? ", every row compared"),
                            primaryKey: key, cursor: cursor)
        case .cdf:
            if source.kind.isView {
                throw PlanError("\(name) is a \(source.kind.rawValue): it has no Delta history, so it has no change data feed and mode cdf cannot follow it. Use mode merge (a key and a cursor) or append (a cursor), or mode full.")
            }
            guard let key else { throw missing("a primary key", "cdf", example: "primary_key: [id]") }
            if selection.filter != nil {
                throw PlanError("\(name): mode cdf cannot apply `where:` to the change feed (a row leaving the filter would be lost). Use mode merge with a cursor, or remove `where:`.")
            }
            if version == nil {
                throw PlanError("\(name) has no Delta version, so it has no change data feed. Use mode merge or append with a cursor.")
            }
            if !detail.changeDataFeed && !defaults.allowFallback {
                throw PlanError("\(name) does not have the change data feed on (delta.enableChangeDataFeed), and fallback is off (--no-fallback). Turn it on with `ALTER TABLE \(name.quoted) SET TBLPROPERTIES (delta.enableChangeDataFeed = true)`, or use mode merge.")
            }
            plan = SyncPlan(mode: .cdf, reason: "mode cdf by key \(key.joined(separator: ", "))", primaryKey: key)
            if !detail.changeDataFeed { plan.fullCopyReason = "the change data feed is off on \(name)" }
        }
        plan.deletes = deletes
        plan.allowFallback = defaults.allowFallback
        plan.tableID = detail.tableID
        if plan.mode == .append && deletes == .soft {
            throw PlanError("\(name): mode append never sees deletes, so `deletes: soft` cannot apply. Use mode merge or cdf, or drop `deletes:`.")
        }
        plan.previous = previous
        if plan.fullCopyReason == nil { plan.fullCopyReason = fullCopyReason(plan) }
        if plan.fullCopyReason != nil { plan.previous = nil }
        if plan.isIncremental, let previous,
           case .added(let added) = SchemaFingerprint.compare(copy: previous.columns, source: SchemaFingerprint.columns(columns)) {
            plan.addedColumns = added
        }
        return plan
    }

    /// Why the copy must be rebuilt in full this run, or nil when only changes need to move.
    private func fullCopyReason(_ plan: SyncPlan) -> String? {
        if defaults.fullRefresh { return "full refresh asked for (--full-refresh)" }
        guard let previous else { return "first run in mode \(plan.mode): a full copy at the pinned version" }
        if previous.mode != plan.mode { return "the mode changed from \(previous.mode) to \(plan.mode)" }
        if previous.primaryKey.map({ $0.lowercased() }) != plan.primaryKey.map({ $0.lowercased() }) {
            return "the key changed from \(previous.primaryKey.joined(separator: ", ")) to \(plan.primaryKey.joined(separator: ", "))"
        }
        if previous.cursor?.lowercased() != plan.cursor?.lowercased() { return "the cursor changed" }
        if previous.deletes != plan.deletes { return "deletes changed from \(previous.deletes) to \(plan.deletes)" }
        if let before = previous.tableID, let now = plan.tableID, before != now {
            return "the table was re-created upstream (its Delta table id changed)"
        }
        if case .incompatible(let why) = SchemaFingerprint.compare(copy: previous.columns, source: SchemaFingerprint.columns(columns)) {
            return why
        }
        if plan.mode == .cdf, previous.version == nil { return "the copy has no synced version" }
        if plan.mode == .cdf, let before = previous.version, let now = version, now < before {
            return "the table's version went back from \(before) to \(now)"
        }
        return nil
    }

    private func keyColumns() throws -> [String]? {
        guard let key = selection.primaryKey ?? source.primaryKey, !key.isEmpty else { return nil }
        return try key.map { try column($0, role: "primary_key") }
    }

    private func cursorColumn() throws -> String? {
        guard let cursor = selection.cursor else { return nil }
        return try column(cursor, role: "cursor")
    }

    /// The copied column `name` (case-insensitive), spelled as the source spells it.
    private func column(_ wanted: String, role: String) throws -> String {
        guard let found = columns.first(where: { $0.name.lowercased() == wanted.lowercased() }) else {
            throw PlanError("\(name) has no column '\(wanted)' for \(role)\(selection.line.map { " (config line \($0))" } ?? ""). Its columns: \(columns.map(\.name).joined(separator: ", ")).")
        }
        return found.name
    }

    private func missing(_ what: String, _ mode: String, example: String) -> PlanError {
        PlanError("\(name): mode \(mode) needs \(what) and none is \(what == "a cursor" ? "configured" : "declared in Unity Catalog or configured"). Add `\(example)` to its entry in dbduck.yml, or pass \(what == "a cursor" ? "--cursor" : "--primary-key").")
    }
}
