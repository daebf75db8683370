import ArgumentParser

/// Where a node serves SFTP.
package struct SFTPOptions: ParsableArguments {
    package init() {}

    @Option(help: "The port the node's SFTP server listens on.")
    package var sftpPort = 2022

    @Flag(help: "Serve no SFTP.")
    package var noSFTP = false

    /// The port to serve SFTP on, or nil for none.
    package var port: Int? { noSFTP ? nil : sftpPort }

    package func validate() throws {
        guard (1...65535).contains(sftpPort) else { throw ValidationError("--sftp-port must be a port, 1 to 65535") }
    }
}
