import ArgumentParser
import Commands

enum DBDuckVersion {
    static let string = "0.1.0"
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print dbduck's version and the linked DuckDB's.")

    func run() throws {
        print(CommandRunner.version(DBDuckVersion.string))
    }
}
