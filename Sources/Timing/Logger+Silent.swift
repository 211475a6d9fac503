import Logging

extension Logger {
    /// A logger that writes nothing: the libraries' default, so a forgotten argument can never
    /// print to stdout (and corrupt `--json`). The CLI passes its stderr logger explicitly.
    public static let silent = Logger(label: "dbduck.silent", factory: { _ in SwiftLogNoOpLogHandler() })
}
