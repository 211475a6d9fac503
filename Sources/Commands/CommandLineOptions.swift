/// The values `--strategy` takes, for the CLI's help and shell completion; each is a name the
/// config's `strategy:` accepts too.
public enum StrategyOption: String, CaseIterable, Sendable {
    case auto, basic, batch, parquet, streaming
}

/// The values `--verify` takes.
public enum VerifyOption: String, CaseIterable, Sendable {
    case count, checksum, none
}

/// The values `--mode` takes.
public enum ModeOption: String, CaseIterable, Sendable {
    case full, append, merge, cdf, auto
}

/// The values `--deletes` takes.
public enum DeletesOption: String, CaseIterable, Sendable {
    case hard, soft, ignore
}
