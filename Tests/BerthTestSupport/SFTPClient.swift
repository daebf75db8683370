import Foundation

/// OpenSSH's own `sftp` client against a node's SFTP server on loopback, signing in with a password
/// (handed over through `SSH_ASKPASS`, so it never shows in `ps`). The first connection records the
/// server's key in this client's own known-hosts file; later ones insist on the same key.
public struct SFTPClient: Sendable {
    public let port: Int
    public let login: String
    public let password: String
    /// A private key file to sign in with instead of the password.
    public let identity: String?
    /// Holds the known-hosts file.
    public let directory: String

    public init(port: Int, login: String, password: String = "", identity: String? = nil) throws {
        self.port = port
        self.login = login
        self.password = password
        self.identity = identity
        directory = NSTemporaryDirectory() + "berth-sftp-client-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The password helper: a file of the repository, not one written here, which another test's child
    /// started at the same moment could still hold open for writing when `ssh` runs it (ETXTBSY, seen in CI).
    static let askpass = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/lib/sftp-askpass").path

    public var knownHostsFile: String { directory + "/known_hosts" }

    /// Runs `commands` as a batch: it stops at the first that fails, unless that one starts with `-`.
    public func run(_ commands: [String]) async throws -> ChildProcess.Outcome {
        let batch = directory + "/batch-\(UUID().uuidString.prefix(8))"
        try Data((commands.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: batch))
        defer { try? FileManager.default.removeItem(atPath: batch) }
        return try await start(["-b", batch], input: .nothing).finish()
    }

    /// Starts `sftp` reading commands from a pipe, for a session held open while the test changes things.
    public func open() throws -> OpenSession {
        OpenSession(process: try start(["-b", "-"], input: .pipe))
    }

    /// Runs OpenSSH's `ssh` with `options` (forwarding flags) and `command`, signed in as this client is:
    /// what the server must refuse.
    public func ssh(_ options: [String], command: [String] = []) async throws -> ChildProcess.Outcome {
        try await start("ssh", ["-o", "BatchMode=no", "-p", "\(port)"] + options, after: command, input: .nothing).finish()
    }

    private func start(_ arguments: [String], input: ChildProcess.Input) throws -> ChildProcess {
        // BatchMode=no first: `-b` asks for batch mode, which forbids passwords, and ssh keeps the first value it reads.
        try start("sftp", ["-o", "BatchMode=no"] + arguments + ["-P", "\(port)"], after: [], input: input)
    }

    private func start(_ program: String, _ options: [String], after trailing: [String], input: ChildProcess.Input) throws -> ChildProcess {
        let arguments =
            options + [
                "-o", "StrictHostKeyChecking=accept-new",
                "-o", "UserKnownHostsFile=\(knownHostsFile)",
                "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "IdentitiesOnly=yes",
                "-o", "NumberOfPasswordPrompts=1",
                "-o", "ConnectTimeout=20",
            ] + authentication + ["\(login)@127.0.0.1"] + trailing
        let environment = ["SSH_ASKPASS": Self.askpass, "SSH_ASKPASS_REQUIRE": "force", "BERTH_SFTP_PASSWORD": password]
        return try ChildProcess("/usr/bin/" + program, arguments, environment: environment, input: input)
    }

    /// The key given, and only it; or the password alone.
    private var authentication: [String] {
        if let identity {
            ["-i", identity, "-o", "PreferredAuthentications=publickey", "-o", "PasswordAuthentication=no"]
        } else {
            ["-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no"]
        }
    }

    /// Makes a key pair of `type` (`ed25519`, `ecdsa`, `rsa`) in the client's folder; returns the private
    /// key's path and the public key's line.
    public func makeKey(_ type: String) throws -> (path: String, publicKey: String) {
        let path = directory + "/id_\(type)"
        _ = try HostShell.run("ssh-keygen -q -t \(type) -N '' -C test@berth -f \(path)")
        return (path, try String(contentsOfFile: path + ".pub", encoding: .utf8))
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A session of `sftp` held open: commands are written to it one at a time.
public struct OpenSession: Sendable {
    let process: ChildProcess

    public func send(_ command: String) throws {
        try process.write(command + "\n")
    }

    /// Ends the input and waits for the client to exit.
    public func finish() async -> ChildProcess.Outcome {
        process.closeInput()
        return await process.finish()
    }

    /// Sends `ls` (which asks the server; `pwd` does not) every half second, up to `timeout`, until the client exits because the server cut it
    /// off (a client waiting for its next command notices only when it sends one); nil if it did not.
    public func exit(within timeout: Duration) async -> ChildProcess.Outcome? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { return nil }
            try? send("ls")
            try? await Task.sleep(for: .milliseconds(500))
        }
        return await process.finish()
    }
}
