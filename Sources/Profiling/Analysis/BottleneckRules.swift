import Timing

/// The rules behind ``BottleneckAnalyzer``: one per phase, plus retries, memory and idle time.
/// Each states the measurement as the cause and proposes one concrete setting change when one helps.
struct BottleneckRules {
    let profile: PhaseProfile
    let settings: RunSettings
    let system: SystemInfo
    let memory: MemoryTimeline?
    let maximumParallelism: Int

    var cores: Int { max(1, system.cores) }

    /// DuckDB took longer than the downloads: a full transfer buffer then means batches wait for
    /// the load, and a larger budget would only hold more of them.
    var loadBound: Bool {
        let load = profile[.load]?.busySeconds ?? 0
        return load > 0 && load >= (profile[.download]?.busySeconds ?? 0)
    }

    func bottleneck(for stats: PhaseStats) -> Bottleneck? {
        switch stats.phase {
        case .download: download(stats)
        case .warehouseWait: warehouseWait(stats)
        case .decompress: decompress(stats)
        case .decode, .convert: cpuBound(stats)
        case .load: load(stats)
        case .commit:
            Bottleneck(kind: .commit, share: stats.share,
                       cause: "\(stats.events) commit(s) took \(Units.seconds(stats.busySeconds))",
                       advice: "the staging swap grows with table size; nothing to tune")
        case .metadata, .request: roundTrips(stats)
        case .verify:
            Bottleneck(kind: .verify, share: stats.share,
                       cause: "verification took \(Units.seconds(stats.busySeconds))",
                       advice: "use --verify count: checksums read every column on both sides")
        case .retry: nil
        }
    }

    // MARK: network

    private func download(_ s: PhaseStats) -> Bottleneck {
        let p = max(1, settings.downloadParallelism)
        let rate = s.bytesPerSecond ?? 0
        let inFlight = s.concurrency
        if let bandwidth = system.bandwidthBytesPerSecond, rate >= 0.8 * bandwidth {
            let compressed = settings.compression == "lz4"
            return Bottleneck(kind: .download, share: s.share,
                cause: "downloads run at \(Units.rate(rate)), \(Units.percent(rate / bandwidth)) of the measured bandwidth (\(Units.rate(bandwidth)))",
                advice: compressed ? "the link is full: select fewer columns or filter rows (columns:, where:)"
                                   : "the link is full: turn on lz4 result compression to move fewer bytes",
                change: compressed ? nil : SettingChange(key: "defaults.compression", from: settings.compression, to: "lz4"))
        }
        if let budget = settings.memoryBudgetBytes, let high = memory?.bufferHighWaterBytes,
           Double(high) >= 0.9 * Double(budget), inFlight < 0.75 * Double(p) {
            if loadBound {
                return Bottleneck(kind: .download, share: s.share,
                    cause: "only \(Units.number(inFlight)) of \(p) links busy on average: the buffer is full (\(Units.bytes(high)) of \(Units.bytes(budget))) with batches waiting for DuckDB",
                    advice: "the load is the slower side; more links or memory would not help")
            }
            let raised = budget * 2
            return Bottleneck(kind: .download, share: s.share,
                cause: "only \(Units.number(inFlight)) of \(p) links busy on average: the download buffer is full (\(Units.bytes(high)) of \(Units.bytes(budget)))",
                advice: "raise the memory budget to \(ByteSize.roundedLiteral(raised))",
                change: SettingChange(key: "defaults.memory_budget", from: ByteSize.literal(budget), to: ByteSize.roundedLiteral(raised)))
        }
        if inFlight >= 0.75 * Double(p) {
            guard p < maximumParallelism else {
                return Bottleneck(kind: .download, share: s.share,
                    cause: "\(p) parallel links saturate at \(Units.rate(rate)) (\(Units.rate(s.bytesPerSecondPerSpan ?? 0)) each)",
                    advice: "download_parallelism is at its maximum; the per-link speed of the storage is the limit")
            }
            var target = min(maximumParallelism, max(p * 3, p + 2))
            if let bandwidth = system.bandwidthBytesPerSecond, rate > 0 {
                target = min(maximumParallelism, max(p + 1, Int((Double(p) * bandwidth / rate).rounded(.up))))
            }
            var advice = "raise download_parallelism to \(target)"
            if let budget = settings.memoryBudgetBytes, let high = memory?.bufferHighWaterBytes,
               high * target / p > budget {
                advice += " (and the memory budget to \(ByteSize.roundedLiteral(high * target / p)))"
            }
            return Bottleneck(kind: .download, share: s.share,
                cause: "\(p) parallel links saturate at \(Units.rate(rate))", advice: advice,
                change: SettingChange(key: "defaults.download_parallelism", from: String(p), to: String(target)))
        }
        return Bottleneck(kind: .download, share: s.share,
            cause: "only \(Units.number(inFlight)) of \(p) links busy on average (\(s.events) downloads at \(Units.rate(rate)))",
            advice: "the result has too few chunks to fill the links; more parallelism will not help")
    }

    private func warehouseWait(_ s: PhaseStats) -> Bottleneck {
        Bottleneck(kind: .warehouseWait, share: s.share,
            cause: "statements queued and ran \(Units.seconds(s.busySeconds)) on the warehouse",
            advice: "start the warehouse before the run or use a larger (or serverless) one; the wait is outside dbduck")
    }

    private func roundTrips(_ s: PhaseStats) -> Bottleneck {
        let rtt = system.roundTripSeconds.map { " (round trip \(Units.seconds($0)))" } ?? ""
        let tables = settings.parallelTables ?? 1
        return Bottleneck(kind: s.phase == .metadata ? .metadata : .request, share: s.share,
            cause: "\(s.events) workspace API calls took \(Units.seconds(s.busySeconds))\(rtt)",
            advice: "latency dominates small tables; copy more tables at once: raise parallel_tables to \(max(2, tables * 2))",
            change: SettingChange(key: "defaults.parallel_tables", from: String(tables), to: String(max(2, tables * 2))))
    }

    // MARK: CPU

    private func decompress(_ s: PhaseStats) -> Bottleneck {
        let rate = s.bytesPerSecond ?? 0
        if settings.compression == "lz4", let bandwidth = system.bandwidthBytesPerSecond, rate > 0, bandwidth > rate {
            return Bottleneck(kind: .decompress, share: s.share,
                cause: "LZ4 decompresses \(Units.rate(rate)), slower than the \(Units.rate(bandwidth)) link",
                advice: "turn result compression off (compression: none)",
                change: SettingChange(key: "defaults.compression", from: "lz4", to: "none"))
        }
        let p = max(1, settings.downloadParallelism)
        if s.concurrency < Double(cores) * 0.75, p < cores {
            return Bottleneck(kind: .decompress, share: s.share,
                cause: "decompression at \(Units.rate(rate)) uses \(Units.number(s.concurrency)) of \(cores) cores",
                advice: "it runs per download: raise download_parallelism to \(cores)",
                change: SettingChange(key: "defaults.download_parallelism", from: String(p), to: String(cores)))
        }
        return Bottleneck(kind: .decompress, share: s.share,
            cause: "decompression at \(Units.rate(rate)) keeps \(Units.number(s.concurrency)) cores busy",
            advice: "CPU-bound on all \(cores) cores; more cores would help")
    }

    private func cpuBound(_ s: PhaseStats) -> Bottleneck {
        let kind: BottleneckKind = s.phase == .decode ? .decode : .convert
        let speed = s.rowsPerSecond.map(Units.rowsPerSecond) ?? s.bytesPerSecond.map(Units.rate) ?? Units.seconds(s.busySeconds)
        let what = s.phase == .decode ? "decoding" : "type conversion"
        if settings.strategy == "basic" || settings.format == "json_array" {
            return Bottleneck(kind: kind, share: s.share, cause: "\(what) of JSON rows at \(speed)",
                advice: "use strategy streaming: Arrow results need no parsing",
                change: SettingChange(key: "defaults.strategy", from: settings.strategy, to: "streaming"))
        }
        if let threads = settings.threads, threads < cores {
            return Bottleneck(kind: kind, share: s.share, cause: "\(what) at \(speed) on \(threads) of \(cores) cores",
                advice: "raise threads to \(cores)",
                change: SettingChange(key: "target.threads", from: String(threads), to: String(cores)))
        }
        return Bottleneck(kind: kind, share: s.share,
            cause: "\(what) at \(speed), \(Units.number(s.concurrency)) cores busy",
            advice: s.phase == .decode ? "CPU-bound: more cores would help" : "select fewer nested columns (columns:) to convert less")
    }

    private func load(_ s: PhaseStats) -> Bottleneck {
        let speed = s.rowsPerSecond.map(Units.rowsPerSecond) ?? Units.seconds(s.busySeconds)
        let chunk = settings.chunkSize
        if settings.strategy == "basic" {
            return Bottleneck(kind: .load, share: s.share, cause: "row-by-row INSERTs load \(speed)",
                advice: "use strategy streaming",
                change: SettingChange(key: "defaults.strategy", from: "basic", to: "streaming"))
        }
        if settings.strategy != "streaming", chunk < 100_000 {
            let target = min(1_000_000, max(100_000, chunk * 4))
            return Bottleneck(kind: .load, share: s.share,
                cause: "DuckDB appends \(speed) in chunks of \(Units.count(Double(chunk))) rows",
                advice: "raise chunk_size to \(target)",
                change: SettingChange(key: "defaults.chunk_size", from: String(chunk), to: String(target)))
        }
        if let threads = settings.threads, threads < cores {
            return Bottleneck(kind: .load, share: s.share, cause: "DuckDB appends \(speed) on \(threads) of \(cores) threads",
                advice: "raise threads to \(cores)",
                change: SettingChange(key: "target.threads", from: String(threads), to: String(cores)))
        }
        if let limit = settings.targetMemoryLimitBytes, limit < 512_000_000, system.memoryBytes >= 16 * limit {
            // Under a small limit DuckDB evicts the blocks it wrote and hands their memory back to the
            // kernel, then faults fresh pages in for the next ones; doubling the limit cut the faults
            // and the run time for some more RSS (README, "Memory", has the numbers).
            let raised = ByteSize.roundedLiteral(limit * 2)
            return Bottleneck(kind: .load, share: s.share,
                cause: "DuckDB appends \(speed) under a memory_limit of \(Units.bytes(limit)), evicting and refilling its blocks as it writes",
                advice: "raise memory_limit to \(raised) where memory allows: peak RSS grows by up to the difference",
                change: SettingChange(key: "target.memory_limit", from: ByteSize.literal(limit), to: raised))
        }
        return Bottleneck(kind: .load, share: s.share,
            cause: "DuckDB appends \(speed) with strategy \(settings.strategy)",
            advice: "the load runs at DuckDB's speed here; compare strategies on this table (dbduck analyze compares them)")
    }

    // MARK: retries, memory, gaps

    func retries(minimumRatio: Double, minimumShare: Double) -> Bottleneck? {
        guard let r = profile[.retry] else { return nil }
        let downloads = max(1, profile[.download]?.events ?? 0)
        guard Double(r.events) / Double(downloads) >= minimumRatio || r.share >= minimumShare else { return nil }
        let retryDetails = profile.retryCauses.map { "\($0.detail) ×\($0.count)" }
        let diagnosis = RetryDiagnosis(profile.retryCauses)
        let p = max(1, settings.downloadParallelism)
        let detail = retryDetails.isEmpty ? "" : " (\(retryDetails.prefix(2).joined(separator: ", ")))"
        let cause = "\(r.events) retries for \(downloads) downloads, \(Units.seconds(r.busySeconds)) of backoff\(detail)"
        if diagnosis?.kind == .throttled, p > 1 {
            return Bottleneck(kind: .retryHeavy, share: r.share, cause: cause,
                advice: "the service is throttling: lower download_parallelism to \(max(1, p / 2))",
                change: SettingChange(key: "defaults.download_parallelism", from: String(p), to: String(max(1, p / 2))))
        }
        return Bottleneck(kind: .retryHeavy, share: r.share, cause: cause,
            advice: diagnosis?.advice ?? "transient failures with no stated cause")
    }

    /// Memory against its limits; `critical` when RSS is over its limit (a full download buffer
    /// is the budget doing its job, never critical).
    func memory(threshold: Double) -> (bottleneck: Bottleneck, critical: Bool)? {
        guard let memory else { return nil }
        let limit = settings.memoryLimitBytes ?? system.memoryBytes
        let rssFraction = limit > 0 ? Double(memory.peakResidentBytes) / Double(limit) : 0
        var bufferFraction = 0.0
        if let budget = settings.memoryBudgetBytes, budget > 0, let high = memory.bufferHighWaterBytes {
            bufferFraction = Double(high) / Double(budget)
        }
        guard max(rssFraction, bufferFraction) >= threshold else { return nil }
        if rssFraction >= bufferFraction {
            let cause = "peak RSS \(Units.bytes(memory.peakResidentBytes)) of \(Units.bytes(limit))"
            if settings.strategy != "streaming" {
                return (Bottleneck(kind: .memoryPressure, share: rssFraction, cause: cause,
                    advice: "use strategy streaming: its memory stays bounded whatever the table size",
                    change: SettingChange(key: "defaults.strategy", from: settings.strategy, to: "streaming")), rssFraction >= 1)
            }
            let p = max(1, settings.downloadParallelism)
            return (Bottleneck(kind: .memoryPressure, share: rssFraction, cause: cause,
                advice: p > 1 ? "lower download_parallelism to \(max(1, p / 2))" : "lower the memory budget",
                change: p > 1 ? SettingChange(key: "defaults.download_parallelism", from: String(p), to: String(max(1, p / 2))) : nil), rssFraction >= 1)
        }
        // Buffer full: downloads waited for the load. Raise the budget only where memory allows.
        let budget = settings.memoryBudgetBytes ?? 0, high = memory.bufferHighWaterBytes ?? 0
        let cause = "the download buffer peaked at \(Units.bytes(high)) of its \(Units.bytes(budget)) budget"
        if loadBound {
            return (Bottleneck(kind: .memoryPressure, share: bufferFraction, cause: cause,
                advice: "batches waited for DuckDB, the slower side: the budget is doing its job; keep it"), false)
        }
        if memory.peakResidentBytes + budget < system.memoryBytes / 2 {
            return (Bottleneck(kind: .memoryPressure, share: bufferFraction, cause: cause,
                advice: "downloads waited for space; raise the memory budget to \(ByteSize.roundedLiteral(budget * 2))",
                change: SettingChange(key: "defaults.memory_budget", from: ByteSize.literal(budget), to: ByteSize.roundedLiteral(budget * 2))), false)
        }
        return (Bottleneck(kind: .memoryPressure, share: bufferFraction, cause: cause,
            advice: "downloads waited for space, and memory is short; keep the budget"), false)
    }

    func untracked() -> Bottleneck {
        Bottleneck(kind: .untracked, share: profile.idleShare,
            cause: "no phase was active for \(Units.seconds(profile.idleSeconds)) of \(Units.seconds(profile.elapsedSeconds))",
            advice: "time went to work outside the measured phases (planning, queues between phases); see the timeline")
    }
}
