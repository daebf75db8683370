import Foundation
import NIOCore
import SFTP
import Testing

@Suite("Paths in requests")
struct SFTPPathRequestTests {
    @Test(
        "REALPATH answers the normalised path, with empty attributes",
        arguments: [(".", "/"), ("", "/"), ("//", "/"), ("a/b/../c", "/a/c"), ("/x//y/./", "/x/y"), ("/../../etc", "/etc"), ("..", "/")]
    )
    func realPath(path: String, expected: String) async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            let names = try await client.request(MessageType.realPath, .string(path)).names()
            #expect(names.count == 1)
            #expect(names.first?.name == expected)
            #expect(names.first?.attributes == SFTPAttributes())
        }
    }

    @Test("Relative paths start at the root, and .. never climbs above it")
    func pathsStayBelowTheRoot() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            #expect(try await client.status(MessageType.makeDirectory, .string("../../escape"), .attributes(SFTPAttributes())).status == .ok)
            #expect(FileManager.default.fileExists(atPath: fileSystem.base.hostPath("/escape")))
            let handle = try await client.open("escape/./../escape//file", [.write, .create])
            _ = try await client.status(MessageType.close, .bytes(handle))
            #expect(FileManager.default.fileExists(atPath: fileSystem.base.hostPath("/escape/file")))
            let root = try await client.request(MessageType.attributes, .string("/../..")).attributes()
            #expect(root.permissions.map { $0 & 0o170000 } == 0o040000)
        }
    }

    @Test("A path that is not UTF-8 is answered BAD_MESSAGE and the session goes on")
    func invalidUTF8() async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            #expect(try await client.status(MessageType.attributes, .bytes([0x2F, 0xC3, 0x28])).status == .badMessage)
            #expect(
                try await client.status(MessageType.makeDirectory, .bytes([0x2F, 0x61, 0x00]), .attributes(SFTPAttributes())).status == .badMessage
            )
            #expect(try await client.request(MessageType.realPath, .string("ok")).names().first?.name == "/ok")
        }
    }
}
