import Testing
@testable import Replication

/// `checkpoint_every` and the planner's rule for continuing a saved copy.
@Suite struct ResumeSettingsTests {
    @Test func checkpointIntervalsAreSizesDurationsOrZero() {
        #expect(CheckpointInterval(parsing: "256MB") == .bytes(256_000_000))
        #expect(CheckpointInterval(parsing: "1GiB") == .bytes(1 << 30))
        #expect(CheckpointInterval(parsing: "4096") == .bytes(4096))
        #expect(CheckpointInterval(parsing: "30s") == .seconds(30))
        #expect(CheckpointInterval(parsing: "500ms") == .seconds(0.5))
        #expect(CheckpointInterval(parsing: "2min") == .seconds(120))
        #expect(CheckpointInterval(parsing: "1h") == .seconds(3600))
        #expect(CheckpointInterval(parsing: "0") == .off)
        #expect(CheckpointInterval(parsing: "0s") == .off)
        #expect(CheckpointInterval(parsing: "5M") == .bytes(5_000_000), "M is a size, as everywhere else")
        #expect(CheckpointInterval(parsing: "soon") == nil)
        #expect(CheckpointInterval(parsing: "-1s") == nil)
        #expect(CheckpointInterval.standard.isOn)
        #expect(TableDefaults().checkpointEvery == .standard)
    }

    @Test func configSetsTheIntervalForAllTablesAndPerTable() throws {
        let config = try ConfigLoader.parse("""
            defaults: { checkpoint_every: 64MB }
            tables:
              - samples.tpch.orders
              - { name: samples.tpch.lineitem, checkpoint_every: 10s }
              - { name: samples.tpch.part, checkpoint_every: 0 }
            """)
        #expect(config.defaults.checkpointEvery == .bytes(64_000_000))
        #expect(config.tables[0].checkpointEvery == nil)
        #expect(config.tables[1].checkpointEvery == .seconds(10))
        #expect(config.tables[2].checkpointEvery == .off)
        #expect(throws: ConfigError.self) { try ConfigLoader.parse("defaults: { checkpoint_every: often }\ntables: [a.b.c]") }
    }

    static let columns = [PlannedColumn(name: "id", sourceType: "BIGINT", targetType: "BIGINT", nullable: false)]
    static func saved(_ shape: RowShape) -> CopyProgress {
        CopyProgress(target: "s.t", source: "c.s.t", version: 7, statementID: "01", statementSQL: "SELECT", shape: shape,
                     chunks: [ChunkSpan(rowOffset: 0, rowCount: 10), ChunkSpan(rowOffset: 10, rowCount: 5)], totalRows: 15,
                     chunksDone: 1, rowsDone: 10, bytesDone: 100, stagingTable: "_dbduck_resume_t")
    }

    @Test func aSavedCopyContinuesOnlyUnderTheSameSettings() {
        let shape = RowShape(columns: Self.columns, filter: nil, mode: .full, strategy: .streaming, compression: .lz4)
        let saved = Self.saved(shape)
        let same = ResumePlan.decide(saved, source: "c.s.t", shape: shape, checkpoints: .standard, restart: false)
        #expect(same.from == saved)
        #expect(same.summary == "resumes after chunk 1 of 2: 10 of 15 rows saved, 5 left (1 chunks)")

        let restart = ResumePlan.decide(saved, source: "c.s.t", shape: shape, checkpoints: .standard, restart: true)
        #expect(restart.from == nil && restart.discarded == "--restart")
        var filtered = shape
        filtered.filter = "id > 3"
        #expect(ResumePlan.decide(saved, source: "c.s.t", shape: filtered, checkpoints: .standard, restart: false).discarded
                == "settings changed: where")
        let parquet = RowShape(columns: Self.columns, filter: nil, mode: .full, strategy: .parquet, compression: .lz4)
        #expect(ResumePlan.decide(saved, source: "c.s.t", shape: parquet, checkpoints: .standard, restart: false).discarded
                == "settings changed: strategy (streaming -> parquet)")
        #expect(ResumePlan.decide(saved, source: "c.s.t", shape: shape, checkpoints: .off, restart: false).from == nil)
        #expect(ResumePlan.decide(saved, source: "c.s.other", shape: shape, checkpoints: .standard, restart: false).from == nil)
    }

    @Test func aRerunResultContinuesOnlyWhenItsFirstChunksMatchTheSavedOnes() {
        let saved = Self.saved(RowShape(columns: Self.columns, filter: nil, mode: .full, strategy: .streaming, compression: .lz4))
        #expect(saved.prefixMatches([ChunkSpan(rowOffset: 0, rowCount: 10), ChunkSpan(rowOffset: 10, rowCount: 5)]))
        #expect(saved.prefixMatches([ChunkSpan(rowOffset: 0, rowCount: 10), ChunkSpan(rowOffset: 10, rowCount: 2),
                                     ChunkSpan(rowOffset: 12, rowCount: 3)]))
        #expect(!saved.prefixMatches([ChunkSpan(rowOffset: 0, rowCount: 8), ChunkSpan(rowOffset: 8, rowCount: 7)]))
        #expect(!saved.prefixMatches([]))
    }
}
