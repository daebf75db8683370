import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel

/// SFTP driven by paramiko (scripts/lib/sftp-probe.py), the second real client, and as an attacker drives
/// it: many sessions at once, thousands of handles, a packet that claims 64 MiB, a write past the disk limit.
@Suite("SFTP with paramiko", .timeLimit(.minutes(4)))
struct SFTPParamikoTests {
    /// Runs the probe and returns the JSON object it printed.
    static func probe(_ port: Int, _ login: String, _ arguments: String..., secret: String = SFTPTests.password) async throws -> [String: Any] {
        guard let python = ProcessInfo.processInfo.environment["BERTH_PARAMIKO_PYTHON"] else {
            throw TestFailure("BERTH_PARAMIKO_PYTHON names no Python with paramiko; scripts/test sets it (scripts/lib/paramiko.sh)")
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/lib/sftp-probe.py").path
        let outcome = try await ChildProcess.run(python, [script, "127.0.0.1", "\(port)", login, secret] + arguments)
        guard outcome.succeeded, let object = try JSONSerialization.jsonObject(with: Data(outcome.lastLine.utf8)) as? [String: Any] else {
            throw TestFailure("the probe \(arguments) exited with \(outcome.status): \(outcome.output)")
        }
        return object
    }

    @Test("paramiko puts and gets byte for byte over AES-GCM and ed25519, renames, stats, and sees the disk limit through statvfs")
    func transfer() async throws {
        try await TestPanel.with(withNode: true, withSFTP: true) { panel in
            let node = try #require(panel.node)
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"), disk: "64M")
            let result = try await Self.probe(try #require(node.sftpPort), SFTPTests.login("owner", id), "transfer")
            #expect(result["identical"] as? Bool == true)
            #expect(result["listed"] as? [String] == ["installed.txt", "moved.bin"], "\(result)")
            #expect(result["size"] as? Int == 4 << 20)
            #expect((result["cipher"] as? String)?.contains("gcm") == true && result["hostKey"] as? String == "ssh-ed25519", "\(result)")
            let statvfs = try #require(result["statvfs"] as? [String: Int])
            let size = (statvfs["blocks"] ?? 0) * (statvfs["frsize"] ?? 0)
            #expect(size >= 64 << 20 && size < 80 << 20, "statvfs shows the instance's own 64 MiB disk: \(statvfs)")
        }
    }

    @Test(
        "twenty sessions at once each get their own bytes back; 10,000 handles and a 64 MiB packet get the client cut off; a write past the limit fails with the reason"
    )
    func hostileClients() async throws {
        try await TestPanel.with(withNode: true, withSFTP: true) { panel in
            let node = try #require(panel.node)
            let port = try #require(node.sftpPort)
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"), disk: "32M")
            let login = SFTPTests.login("owner", id)

            // By key: twenty bcrypt checks at once would be the test's cost, not the server's.
            let keys = try SFTPClient(port: port, login: login)
            defer { keys.remove() }
            let key = try keys.makeKey("ed25519")
            let owner = try #require(try await panel.panel.users.find(.username("owner")))
            _ = try await panel.panel.sftpCredentials.addKey(named: "probe", key.publicKey, for: owner)
            let sessions = try await Self.probe(port, login, "sessions", "20", secret: "key:" + key.path)
            let outcomes = try #require(sessions["outcomes"] as? [Any])
            #expect(outcomes.count == 20 && outcomes.allSatisfy { $0 as? Bool == true }, "\(outcomes)")

            let handles = try await Self.probe(port, login, "handles", "10000")
            let opened = try #require(handles["opened"] as? Int)
            #expect(opened < 10000 && handles["error"] is String && handles["active"] as? Bool == false, "cut off after \(opened): \(handles)")

            let oversized = try await Self.probe(port, login, "oversized")
            #expect(oversized["closed"] as? Bool == true && oversized["active"] as? Bool == false, "\(oversized)")

            let fill = try await Self.probe(port, login, "fill", "48")
            let error = try #require(fill["error"] as? String, "\(fill)")
            #expect(error.contains("disk is full"), "the reason reaches the client: \(error)")
            #expect(fill["sessionUsable"] as? Bool == true, "the session goes on after the refused write")
            #expect((fill["written"] as? Int ?? 0) < 32 << 20)
        }
    }
}
