import BerthProtocol
import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel

/// SFTP on a real node, signed in through the real panel, with OpenSSH's own `sftp` client.
@Suite("SFTP", .timeLimit(.minutes(4)))
struct SFTPTests {
    static let password = "correct horse battery"

    /// `username.<short id>`, as users sign in.
    static func login(_ username: String, _ id: String) -> String { "\(username).\(id.prefix(8))" }

    static func volume(_ panel: TestPanel, _ id: String) -> String { panel.dataDirectory + "/node/volumes/" + id }

    @Test("the owner puts and gets a 64 MiB file byte for byte, makes, renames, chmods and removes, and the host key is the node's")
    func ownerTransfers() async throws {
        try await TestPanel.with(withNode: true, withSFTP: true) { panel in
            let node = try #require(panel.node)
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"))
            let client = try SFTPClient(port: try #require(node.sftpPort), login: Self.login("owner", id), password: Self.password)
            defer { client.remove() }
            let local = client.directory + "/world.bin"
            var bytes = [UInt8](repeating: 0, count: 64 << 20)
            for index in stride(from: 0, to: bytes.count, by: 4096) { bytes[index] = UInt8.random(in: 0...255) }
            try Data(bytes).write(to: URL(fileURLWithPath: local))

            let outcome = try await client.run([
                "put \(local) world.bin",
                "get world.bin \(client.directory)/back.bin",
                "mkdir maps",
                "rename world.bin maps/world.bin",
                "chmod 600 maps/world.bin",
                "ls -l maps",
                "mkdir old",
                "rmdir old",
                "put /etc/hostname gone.bin",
                "rm gone.bin",
            ])
            #expect(outcome.succeeded, "\(outcome.output)")
            #expect(FileManager.default.contentsEqual(atPath: local, andPath: client.directory + "/back.bin"), "the download is byte-identical")
            let volume = Self.volume(panel, id)
            #expect(FileManager.default.contentsEqual(atPath: local, andPath: volume + "/maps/world.bin"), "the upload landed whole")
            let attributes = try FileManager.default.attributesOfItem(atPath: volume + "/maps/world.bin")
            let folderOwner = try FileManager.default.attributesOfItem(atPath: volume)[.ownerAccountID] as? Int
            #expect(attributes[.posixPermissions] as? Int == 0o600)
            #expect(attributes[.ownerAccountID] as? Int == folderOwner, "the file belongs to the instance's user, not root")
            #expect(folderOwner != 0)
            #expect(outcome.output.contains("world.bin"), "ls shows the file")
            #expect(!FileManager.default.fileExists(atPath: volume + "/old") && !FileManager.default.fileExists(atPath: volume + "/gone.bin"))

            // Each change reaches the audit log, with the instance, as the file manager's do.
            let deadline = ContinuousClock.now + .seconds(30)
            var actions: [String] = []
            while !Set(["sftp.write", "sftp.mkdir", "sftp.rename", "sftp.attributes", "sftp.rmdir", "sftp.remove"]).isSubset(of: actions) {
                guard ContinuousClock.now < deadline else { break }
                try await Task.sleep(for: .milliseconds(200))
                let instanceID = try #require(UUID(uuidString: id))
                actions = try await panel.panel.audit.latest(50, on: instanceID).filter { $0.actor == "owner" }.map(\.action)
            }
            #expect(
                Set(["sftp.write", "sftp.mkdir", "sftp.rename", "sftp.attributes", "sftp.rmdir", "sftp.remove"]).isSubset(of: actions),
                "\(actions)"
            )

            // The key the client was shown is the one the node reported, which the panel shows users.
            let shown = try HostShell.run("ssh-keygen -lf \(client.knownHostsFile)")
            // The server may have started listening after the node's first heartbeat: the next one says so.
            var nodeRow = try #require(try await Node.find(UUID(uuidString: node.id), on: panel.panel.database.db()))
            let heartbeats = ContinuousClock.now + .seconds(30)
            while nodeRow.sftpFingerprint == nil, ContinuousClock.now < heartbeats {
                try await Task.sleep(for: .milliseconds(250))
                nodeRow = try #require(try await Node.find(UUID(uuidString: node.id), on: panel.panel.database.db()))
            }
            let fingerprint = try #require(nodeRow.sftpFingerprint)
            #expect(nodeRow.sftpPort == node.sftpPort)
            #expect(fingerprint.hasPrefix("SHA256:") && shown.contains(fingerprint), "\(shown) vs \(fingerprint)")
            let browser = panel.browser()
            #expect(try await browser.signIn("owner", Self.password).status == 303)
            let page = try await browser.get("/instances/\(id)")
            #expect(page.text.contains("sftp://\(Self.login("owner", id))@127.0.0.1:\(try #require(node.sftpPort))"), "the page gives the address")
            #expect(page.text.contains(fingerprint), "and the key to check")
        }
    }

    @Test("paths and links that lead out of the volume stay in it or are refused")
    func hostilePaths() async throws {
        try await TestPanel.with(withNode: true, withSFTP: true) { panel in
            let node = try #require(panel.node)
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"))
            let volume = Self.volume(panel, id)
            let client = try SFTPClient(port: try #require(node.sftpPort), login: Self.login("owner", id), password: Self.password)
            defer { client.remove() }
            let local = client.directory + "/note.txt"
            try Data("mine\n".utf8).write(to: URL(fileURLWithPath: local))
            // A link the tenant's server planted, pointing at the host's files.
            try FileManager.default.createSymbolicLink(atPath: volume + "/etc", withDestinationPath: "/etc")

            let climbing = try await client.run(["get ../../../../etc/passwd \(client.directory)/stolen"])
            #expect(!climbing.succeeded && !FileManager.default.fileExists(atPath: client.directory + "/stolen"), "\(climbing.output)")
            let throughLink = try await client.run(["get etc/passwd \(client.directory)/stolen"])
            #expect(!throughLink.succeeded && !FileManager.default.fileExists(atPath: client.directory + "/stolen"), "\(throughLink.output)")
            let writeThroughLink = try await client.run(["put \(local) etc/berth-escape"])
            #expect(!writeThroughLink.succeeded && !FileManager.default.fileExists(atPath: "/etc/berth-escape"), "\(writeThroughLink.output)")
            let upward = try await client.run(["put \(local) ../../escape.txt"])
            #expect(upward.succeeded, "\(upward.output)")
            #expect(FileManager.default.fileExists(atPath: volume + "/escape.txt"), "a climb past the root stops at the root")
            #expect(!FileManager.default.fileExists(atPath: panel.dataDirectory + "/node/escape.txt"))

            for target in ["/etc/passwd", "../../../etc", "a/../../.."] {
                let link = try await client.run(["symlink \(target) out"])
                #expect(!link.succeeded, "a link to \(target) is refused: \(link.output)")
                #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: volume + "/out")) == nil)
            }
            let inside = try await client.run(["symlink escape.txt alias", "get alias \(client.directory)/alias.txt"])
            #expect(inside.succeeded, "\(inside.output)")
            #expect(try String(contentsOfFile: client.directory + "/alias.txt", encoding: .utf8) == "mine\n")
        }
    }

    @Test("wrong password, another user's instance, no files permission: refused; files.read alone reads but does not write")
    func refusals() async throws {
        try await TestPanel.with(withNode: true, withSFTP: true) { panel in
            let node = try #require(panel.node)
            let port = try #require(node.sftpPort)
            _ = try await panel.createUser("mallory")
            let reader = try await panel.createUser("reader")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"))
            func attempt(_ login: String, _ password: String = Self.password, _ commands: [String] = ["ls"]) async throws -> ChildProcess.Outcome {
                let client = try SFTPClient(port: port, login: login, password: password)
                defer { client.remove() }
                return try await client.run(commands)
            }
            #expect(try await attempt(Self.login("owner", id), "wrong password").succeeded == false)
            #expect(try await attempt(Self.login("mallory", id)).succeeded == false, "mallory does not reach the owner's instance")
            #expect(try await attempt("owner").succeeded == false, "a login without an instance id")
            #expect(try await attempt("owner.00000000").succeeded == false, "an instance that does not exist")
            #expect(try await attempt(Self.login("owner", id)).succeeded, "the owner gets in")
            // The owner's own sign-in opens files, and nothing else: no command, no shell, no forwarding.
            let owner = try SFTPClient(port: port, login: Self.login("owner", id), password: Self.password)
            defer { owner.remove() }
            let command = try await owner.ssh(["-T"], command: ["echo", "shell-reached"])
            #expect(!command.succeeded && !command.output.contains("shell-reached"), "\(command.output)")
            let forward = try await owner.ssh(["-N", "-o", "ExitOnForwardFailure=yes", "-R", "127.0.0.1:\(TestPorts.next()):127.0.0.1:\(port)"])
            #expect(!forward.succeeded && forward.output.contains("forward"), "\(forward.output)")

            let subusers = "/api/v1/instances/\(id)/subusers"
            #expect(try await panel.request(.POST, subusers, ["user": "reader", "permissions": ["console.read"]]).status == 201)
            #expect(try await attempt(Self.login("reader", id)).succeeded == false, "console.read gives no files")
            let readersBrowser = panel.browser()
            #expect(try await readersBrowser.signIn("reader", Self.password).status == 303)
            #expect(try await readersBrowser.get("/instances/\(id)").text.contains("instance-sftp") == false, "nor an SFTP card")
            #expect(try await panel.request(.PATCH, "\(subusers)/\(reader)", ["permissions": ["files.read"]]).status == 200)
            let volume = Self.volume(panel, id)
            let reading = try await attempt(Self.login("reader", id), Self.password, ["get installed.txt /dev/null"])
            #expect(reading.succeeded, "\(reading.output)")
            let writing = try await attempt(Self.login("reader", id), Self.password, ["put /etc/hostname written.txt"])
            #expect(!writing.succeeded && !FileManager.default.fileExists(atPath: volume + "/written.txt"), "\(writing.output)")
            let removing = try await attempt(Self.login("reader", id), Self.password, ["rm installed.txt"])
            #expect(!removing.succeeded && FileManager.default.fileExists(atPath: volume + "/installed.txt"), "\(removing.output)")

            let audit = try await panel.panel.audit.latest(50)
            #expect(audit.contains { $0.action == "sftp.login" && $0.actor == "owner" }, "logins are audited")
            #expect(audit.contains { $0.action == "sftp.login.failed" }, "failed logins are audited")
        }
    }

    @Test("an open session is cut off when its subuser is removed, and when the instance is suspended")
    func cutOff() async throws {
        try await TestPanel.with(withNode: true, withSFTP: true) { panel in
            let node = try #require(panel.node)
            let port = try #require(node.sftpPort)
            let helperID = try await panel.createUser("helper")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"))
            let subusers = "/api/v1/instances/\(id)/subusers"
            #expect(try await panel.request(.POST, subusers, ["user": "helper", "permissions": ["files.read", "files.write"]]).status == 201)

            let helper = try SFTPClient(port: port, login: Self.login("helper", id), password: Self.password)
            defer { helper.remove() }
            let helpersSession = try helper.open()
            try helpersSession.send("ls")
            #expect(await helpersSession.exit(within: .seconds(3)) == nil, "the session stays open while access holds")
            #expect(try await panel.request(.DELETE, "\(subusers)/\(helperID)").status == 204)
            let ended = await helpersSession.exit(within: .seconds(30))
            #expect(ended != nil, "the removed subuser's session was cut off")

            let owner = try SFTPClient(port: port, login: Self.login("owner", id), password: Self.password)
            defer { owner.remove() }
            let ownersSession = try owner.open()
            try ownersSession.send("ls")
            #expect(await ownersSession.exit(within: .seconds(3)) == nil)
            #expect(try await panel.request(.POST, "/api/instances/suspend/\(id)").status == 200)
            #expect(await ownersSession.exit(within: .seconds(30)) != nil, "a suspended instance's sessions are cut off")
            #expect(try await owner.run(["ls"]).succeeded == false, "and it lets nobody in")
        }
    }

    @Test(
        "keys and an SFTP password from the account page sign in; RSA keys are refused with the reason; a second factor keeps the panel password out"
    )
    func keysAndSFTPPassword() async throws {
        try await TestPanel.with(withNode: true, withSFTP: true) { panel in
            let node = try #require(panel.node)
            let port = try #require(node.sftpPort)
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"))
            let client = try SFTPClient(port: port, login: Self.login("owner", id), password: Self.password)
            defer { client.remove() }
            let ed25519 = try client.makeKey("ed25519")
            let ecdsa = try client.makeKey("ecdsa")
            let rsa = try client.makeKey("rsa")
            func signIn(with key: String) async throws -> Bool {
                let keyed = try SFTPClient(port: port, login: Self.login("owner", id), identity: key)
                defer { keyed.remove() }
                return try await keyed.run(["ls"]).succeeded
            }
            #expect(try await signIn(with: ed25519.path) == false, "a key not added yet")

            let browser = panel.browser()
            #expect(try await browser.signIn("owner", Self.password).status == 303)
            #expect(try await browser.get("/account").text.contains("sftp-key-form"))
            _ = try await browser.post("/account/sftp-keys", ["name": "laptop", "key": ed25519.publicKey])
            _ = try await browser.post("/account/sftp-keys", ["name": "desk", "key": ecdsa.publicKey])
            _ = try await browser.post("/account/sftp-keys", ["name": "old", "key": rsa.publicKey])
            let account = try await browser.get("/account")
            #expect(account.text.contains("RSA keys are not supported by the SSH library"), "the refusal says why")
            #expect(account.text.contains("laptop") && account.text.contains("desk") && !account.text.contains(">old<"))
            #expect(try await signIn(with: ed25519.path), "the ed25519 key signs in")
            #expect(try await signIn(with: ecdsa.path), "the ECDSA key signs in")
            #expect(try await signIn(with: rsa.path) == false)

            // With a second factor, the panel password alone no longer opens SFTP; the SFTP password and keys do.
            let user = try #require(try await panel.panel.users.find(.username("owner")))
            try await panel.panel.users.turnOnTwoFactor(for: user, secret: "JBSWY3DPEHPK3PXP", lastUsedStep: nil, recoveryCodes: nil)
            #expect(try await client.run(["ls"]).succeeded == false, "the panel password is refused")
            #expect(try await signIn(with: ed25519.path), "a key still signs in")
            let wrongCurrent = try await browser.post(
                "/account/sftp-password",
                ["current": "not it", "password": "a separate secret", "confirm": "a separate secret"]
            )
            #expect(wrongCurrent.status == 303)
            let sftpOnly = try SFTPClient(port: port, login: Self.login("owner", id), password: "a separate secret")
            defer { sftpOnly.remove() }
            #expect(try await sftpOnly.run(["ls"]).succeeded == false, "not set without the panel password")
            _ = try await browser.post(
                "/account/sftp-password",
                ["current": Self.password, "password": "a separate secret", "confirm": "a separate secret"]
            )
            #expect(try await sftpOnly.run(["ls"]).succeeded, "the SFTP password signs in")

            // A removed key no longer signs in.
            let keyID = try #require(try await panel.panel.sftpCredentials.keys(of: user).first { $0.name == "laptop" }?.id)
            _ = try await browser.post("/account/sftp-keys/\(keyID)/delete")
            #expect(try await signIn(with: ed25519.path) == false)
            #expect(try await signIn(with: ecdsa.path))
        }
    }

    @Test("the image's denylist binds SFTP as it binds the file manager: listed, never read, written, renamed or removed; admins are not bound")
    func denylist() async throws {
        try await TestPanel.with(withNode: true, withSFTP: true) { panel in
            let node = try #require(panel.node)
            let port = try #require(node.sftpPort)
            let id = try await FileAPITests.deployReadyGuarded(panel, owner: try await panel.createUser("owner"))
            let volume = Self.volume(panel, id)
            try FileManager.default.createDirectory(atPath: volume + "/secrets", withIntermediateDirectories: true)
            try Data("token".utf8).write(to: URL(fileURLWithPath: volume + "/secrets/key.txt"))
            try Data("jar".utf8).write(to: URL(fileURLWithPath: volume + "/server.jar"))
            try Data("notes".utf8).write(to: URL(fileURLWithPath: volume + "/notes.txt"))

            let owner = try SFTPClient(port: port, login: Self.login("owner", id), password: Self.password)
            defer { owner.remove() }
            let listing = try await owner.run(["ls -1"])
            #expect(listing.succeeded && listing.output.contains("server.jar"), "denied files are listed: \(listing.output)")
            for command in [
                "get server.jar \(owner.directory)/got.jar", "get secrets/key.txt \(owner.directory)/key.txt", "put /etc/hostname plugin.jar",
                "rename server.jar server.txt", "rm server.jar", "rename notes.txt notes.jar",
            ] {
                let outcome = try await owner.run([command])
                #expect(!outcome.succeeded, "\(command) is refused: \(outcome.output)")
            }
            #expect(FileManager.default.fileExists(atPath: volume + "/server.jar") && !FileManager.default.fileExists(atPath: volume + "/plugin.jar"))
            #expect(FileManager.default.fileExists(atPath: volume + "/notes.txt"), "a file is not renamed onto the denylist")

            _ = try await panel.panel.users.create(username: "root", email: "root@example.com", password: Self.password, userID: nil, admin: true)
            let admin = try SFTPClient(port: port, login: Self.login("root", id), password: Self.password)
            defer { admin.remove() }
            #expect(try await admin.run(["get server.jar \(admin.directory)/got.jar"]).succeeded, "an administrator is not bound")
        }
    }
}
