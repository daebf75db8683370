import ArgumentParser

/// Where a node serves SFTP.
struct SFTPOptions: ParsableArguments {
    @Option(help: "The port the node's SFTP server listens on.")
    var sftpPort = 2022

    @Flag(help: "Serve no SFTP.")
    var noSFTP = false

    /// The port to serve SFTP on, or nil for none.
    var port: Int? { noSFTP ? nil : sftpPort }

    func validate() throws {
        guard (1...65535).contains(sftpPort) else { throw ValidationError("--sftp-port must be a port, 1 to 65535") }
    }
}
