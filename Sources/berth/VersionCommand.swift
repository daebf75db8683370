import ArgumentParser
import BerthProtocol

/// `berth version`: which Berth this binary is (the panel and the nodes report theirs in the API too).
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print Berth's version.")

    func run() {
        print("berth \(BerthVersion.current)")
    }
}
