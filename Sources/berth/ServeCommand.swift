import ArgumentParser
import BerthDaemon
import BerthHTTP
import Foundation

/// `berth serve`: everything on one machine with no configuration.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Berth on this machine: the panel and a local node, on SQLite, with no configuration."
    )

    @Option(help: "Where Berth keeps its data (default: $BERTH_DATA or ./berth-data).")
    var data: String?

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port of the local node's daemon.")
    var daemonPort = 3002

    func run() async throws {
        let dataDirectory = DataDirectory.resolve(data)
        let token = try LocalNodeToken.loadOrCreate(in: dataDirectory)
        try await runDaemon(DaemonConfiguration(host: host, port: daemonPort, dataDirectory: dataDirectory, nodeToken: token))
    }
}

/// Where the data lives: the option, else `BERTH_DATA`, else `./berth-data`; made absolute.
enum DataDirectory {
    static func resolve(_ option: String?) -> String {
        let path = option ?? ProcessInfo.processInfo.environment["BERTH_DATA"] ?? "berth-data"
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }
}

/// The token the local node and the panel share; made once, readable only by its owner.
enum LocalNodeToken {
    static func loadOrCreate(in dataDirectory: String) throws -> String {
        let path = (dataDirectory as NSString).appendingPathComponent("local-node.token")
        if let token = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty {
            return token
        }
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let token = Secrets.generate()
        FileManager.default.createFile(atPath: path, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600])
        return token
    }
}
