/// The values `--strategy` takes, for the CLI's help and shell completion; each is a name the
/// config's `strategy:` accepts too.
public enum StrategyOption: String, CaseIterable, Sendable {
    case auto, basic, batch, parquet, streaming
}

/// The values `--verify` takes.
public enum VerifyOption: String, CaseIterable, Sendable {
    case count, checksum, none
}
