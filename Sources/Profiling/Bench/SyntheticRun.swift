import Timing

/// A deterministic model of one pipelined table transfer, as the events a recorder would see:
/// a warehouse wait, chunk downloads over `parallelism` links (each followed on its link by
/// decompression and decode), loads one at a time in chunk order, then a commit.
///
/// For tests, benchmarks of the analysis itself and demo reports: the times are the model's
/// inputs, not measurements.
///
/// ```swift
/// let downloadBound = SyntheticRun(parallelism: 2, downloadSeconds: 1.0, loadSeconds: 0.1).events()
/// ```
public struct SyntheticRun: Sendable, Hashable {
    public var table: String
    public var chunks: Int
    public var chunkBytes: Int
    public var chunkRows: Int
    public var parallelism: Int
    public var warehouseWaitSeconds: Double
    public var downloadSeconds: Double
    public var decompressSeconds: Double
    public var decodeSeconds: Double
    public var loadSeconds: Double
    public var commitSeconds: Double
    /// Chunk indices whose first download attempt failed, with the backoff before the retry.
    public var retries: [Int: Double]
    public var retryDetail: String
    /// Added to every time (to place several tables one after another).
    public var offset: Double

    public init(table: String = "samples.tpch.lineitem", chunks: Int = 24, chunkBytes: Int = 20_000_000,
                chunkRows: Int = 250_000, parallelism: Int = 2, warehouseWaitSeconds: Double = 0.2,
                downloadSeconds: Double = 0.2, decompressSeconds: Double = 0.02, decodeSeconds: Double = 0.02,
                loadSeconds: Double = 0.05, commitSeconds: Double = 0.05, retries: [Int: Double] = [:],
                retryDetail: String = "HTTP 503 from storage", offset: Double = 0) {
        self.table = table; self.chunks = chunks; self.chunkBytes = chunkBytes; self.chunkRows = chunkRows
        self.parallelism = max(1, parallelism); self.warehouseWaitSeconds = warehouseWaitSeconds
        self.downloadSeconds = downloadSeconds; self.decompressSeconds = decompressSeconds
        self.decodeSeconds = decodeSeconds; self.loadSeconds = loadSeconds; self.commitSeconds = commitSeconds
        self.retries = retries; self.retryDetail = retryDetail; self.offset = offset
    }

    public func events() -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        func add(_ phase: TransferPhase, _ start: Double, _ duration: Double, bytes: Int = 0, rows: Int = 0, detail: String? = nil) {
            events.append(RecordedEvent(phase: phase, table: table, start: offset + start, duration: duration,
                                        bytes: bytes, rows: rows, detail: detail))
        }
        add(.warehouseWait, 0, warehouseWaitSeconds)
        var linkFree = [Double](repeating: warehouseWaitSeconds, count: parallelism)
        var loadFree = warehouseWaitSeconds
        for chunk in 0..<chunks {
            let link = linkFree.indices.min { linkFree[$0] < linkFree[$1] } ?? 0
            var t = linkFree[link]
            if let backoff = retries[chunk] {
                add(.download, t, downloadSeconds / 2, detail: "chunk \(chunk), failed")
                t += downloadSeconds / 2
                add(.retry, t, backoff, detail: retryDetail)
                t += backoff
            }
            add(.download, t, downloadSeconds, bytes: chunkBytes, detail: "chunk \(chunk)")
            t += downloadSeconds
            if decompressSeconds > 0 { add(.decompress, t, decompressSeconds, bytes: chunkBytes * 3); t += decompressSeconds }
            add(.decode, t, decodeSeconds, bytes: chunkBytes * 3, rows: chunkRows)
            t += decodeSeconds
            linkFree[link] = t
            let loadStart = max(t, loadFree)
            add(.load, loadStart, loadSeconds, rows: chunkRows)
            loadFree = loadStart + loadSeconds
        }
        add(.commit, loadFree, commitSeconds)
        return events
    }
}
