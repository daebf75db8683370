import Foundation
import NIOCore
import SFTP
import Testing

@Suite("Attributes: STAT, LSTAT, FSTAT, SETSTAT, FSETSTAT")
struct SFTPAttributeTests {
    @Test("STAT, LSTAT and FSTAT describe a file as it is")
    func describe() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            _ = FileManager.default.createFile(atPath: fileSystem.base.hostPath("/server.jar"), contents: Data(count: 12_345))
            try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: fileSystem.base.hostPath("/server.jar"))
            let stat = try await client.request(MessageType.attributes, .string("/server.jar")).attributes()
            #expect(stat.size == 12_345)
            #expect(stat.permissions == 0o100640)
            #expect(stat.ids?.user == getuid())
            #expect(stat.times != nil)
            #expect(try await client.request(MessageType.linkAttributes, .string("/server.jar")).attributes() == stat)
            let handle = try await client.open("/server.jar", .read)
            #expect(try await client.request(MessageType.handleAttributes, .bytes(handle)).attributes() == stat)
        }
    }

    @Test("STAT follows a link, LSTAT describes the link")
    func links() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            _ = FileManager.default.createFile(atPath: fileSystem.base.hostPath("/target"), contents: Data(count: 10))
            try FileManager.default.createSymbolicLink(atPath: fileSystem.base.hostPath("/link"), withDestinationPath: "target")
            let followed = try await client.request(MessageType.attributes, .string("/link")).attributes()
            let link = try await client.request(MessageType.linkAttributes, .string("/link")).attributes()
            #expect(followed.permissions.map { $0 & 0o170000 } == 0o100000)
            #expect(followed.size == 10)
            #expect(link.permissions.map { $0 & 0o170000 } == 0o120000)
            #expect(link.size == 6)  // The length of "target".
        }
    }

    @Test("SETSTAT changes size, permissions and times")
    func setByPath() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            _ = FileManager.default.createFile(atPath: fileSystem.base.hostPath("/config.yml"), contents: Data(count: 100))
            let wanted = SFTPAttributes(size: 3, permissions: 0o600, times: (1_600_000_000, 1_500_000_000))
            #expect(try await client.status(MessageType.setAttributes, .string("/config.yml"), .attributes(wanted)).status == .ok)
            let now = try await client.request(MessageType.attributes, .string("/config.yml")).attributes()
            #expect(now.size == 3)
            #expect(now.permissions == 0o100600)
            #expect(now.times?.access == 1_600_000_000)
            #expect(now.times?.modification == 1_500_000_000)
        }
    }

    @Test("FSETSTAT changes an open file; FSTAT sees it")
    func setByHandle() async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            let handle = try await client.open("/log.txt", [.write, .create])
            _ = try await client.status(MessageType.write, .bytes(handle), .uint64(0), .string("0123456789"))
            let wanted = SFTPAttributes(size: 4, permissions: 0o604, times: (1_000, 2_000))
            #expect(try await client.status(MessageType.setHandleAttributes, .bytes(handle), .attributes(wanted)).status == .ok)
            let now = try await client.request(MessageType.handleAttributes, .bytes(handle)).attributes()
            #expect(now.size == 4)
            #expect(now.permissions == 0o100604)
            #expect(now.times?.modification == 2_000)
        }
    }

    @Test("A new file gets the permissions OPEN asked for")
    func openWithPermissions() async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            _ = try await client.open("/private", [.write, .create, .exclusive], attributes: SFTPAttributes(permissions: 0o600))
            #expect(try await client.request(MessageType.attributes, .string("/private")).attributes().permissions == 0o100600)
        }
    }
}
