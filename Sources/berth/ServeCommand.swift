import ArgumentParser
import BerthDaemon
import BerthHTTP
import BerthPanel
import Foundation
import Logging

/// `berth serve`: everything on one machine with no configuration.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Berth on this machine: the panel and a local node, on SQLite, with no configuration."
    )

    @OptionGroup var location: DataOptions

    @Option(help: "The address the panel listens on.")
    var host = "127.0.0.1"

    @Option(help: "The panel's port.")
    var port = 3001

    @Option(help: "The local node daemon's port (it listens on 127.0.0.1 only).")
    var daemonPort = 3002

    @Option(help: "Image JSON files to import at first start (default: ./images when it exists).")
    var images: String?

    func run() async throws {
        let logger = Logger(label: "berth")
        let dataDirectory = location.directory
        let token = try LocalNodeToken.loadOrCreate(in: dataDirectory)
        let panel = try await Panel.open(PanelConfiguration(
            host: host, port: port, dataDirectory: dataDirectory,
            imagesDirectory: images ?? (FileManager.default.fileExists(atPath: "images") ? "images" : nil)
        ))
        do {
            if let admin = try await panel.prepareFirstStart() {
                // Written straight to the terminal (or log) so it is there even while Berth keeps running.
                FileHandle.standardOutput.write(Data("""
                Berth is set up. Sign in as admin with this password (shown once; also in \(admin.passwordFile)):
                    \(admin.adminPassword)

                """.utf8))
            }
            let capacity = HostCapacity.read(dataDirectory: dataDirectory)
            try await panel.registerLocalNode(port: daemonPort, token: token, ram: capacity.memoryMiB, disk: capacity.diskMiB, processor: capacity.cores)
        } catch {
            await panel.close()
            throw error
        }
        let daemonConfiguration = DaemonConfiguration(
            host: "127.0.0.1", port: daemonPort, dataDirectory: dataDirectory,
            panelURL: "http://127.0.0.1:\(port)", nodeToken: token
        )
        try await withDaemon(daemonConfiguration) { daemon in
            let services = try panel.services { boundPort in
                logger.info("Berth is serving on http://\(host):\(boundPort) (data in \(dataDirectory))")
            } + daemon.services()
            try await runUntilSignalled(services, logger: logger)
        }
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

/// What this machine offers the local node.
struct HostCapacity {
    var memoryMiB: Int
    var diskMiB: Int
    var cores: Double

    static func read(dataDirectory: String) -> HostCapacity {
        let disk = (try? FileManager.default.attributesOfFileSystem(forPath: dataDirectory)[.systemSize] as? NSNumber)?.int64Value ?? 0
        return HostCapacity(
            memoryMiB: Int(ProcessInfo.processInfo.physicalMemory >> 20),
            diskMiB: Int(disk >> 20),
            cores: Double(ProcessInfo.processInfo.activeProcessorCount)
        )
    }
}
