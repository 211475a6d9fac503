/// How `memory_budget` is shared within a table's transfer: most of it for downloads (in flight and
/// waiting), so several links can run on a real network; the rest for decoded batches queued for
/// DuckDB, where a few batches per DuckDB thread keep the scan busy.
public enum MemoryBudgetShare {
    public static func downloads(_ budget: Int) -> Int { max(1, budget - scanQueue(budget)) }
    public static func scanQueue(_ budget: Int) -> Int { max(1, budget / 4) }
}
