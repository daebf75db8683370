import Foundation
import NIOCore
import SFTP
import Testing

@Suite("Renames and links")
struct SFTPLinkAndRenameTests {
    @Test("RENAME refuses to replace an existing name; posix-rename replaces it")
    func renameVersusPosixRename() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            let host = fileSystem.base.hostPath
            _ = FileManager.default.createFile(atPath: host("/new"), contents: Data("new".utf8))
            _ = FileManager.default.createFile(atPath: host("/old"), contents: Data("old".utf8))

            #expect(try await client.status(MessageType.rename, .string("/new"), .string("/old")).status == .failure)
            #expect(FileManager.default.contents(atPath: host("/old")) == Data("old".utf8))
            #expect(FileManager.default.contents(atPath: host("/new")) == Data("new".utf8))

            #expect(try await client.extended("posix-rename@openssh.com", .string("/new"), .string("/old")).status().status == .ok)
            #expect(FileManager.default.contents(atPath: host("/old")) == Data("new".utf8))
            #expect(!FileManager.default.fileExists(atPath: host("/new")))

            #expect(try await client.status(MessageType.rename, .string("/old"), .string("/fresh")).status == .ok)
            #expect(FileManager.default.contents(atPath: host("/fresh")) == Data("new".utf8))
        }
    }

    @Test("SYMLINK takes the target first and the link second, as OpenSSH sends them; READLINK answers the target")
    func symbolicLinkOrder() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            let host = fileSystem.base.hostPath
            _ = FileManager.default.createFile(atPath: host("/data.txt"), contents: Data("linked".utf8))
            // The target is passed on as sent, not normalised; the link's path is.
            #expect(try await client.status(MessageType.symbolicLink, .string("data.txt"), .string("../shortcut")).status == .ok)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: host("/shortcut")) == "data.txt")
            #expect(!FileManager.default.fileExists(atPath: host("/data.txt/shortcut")))

            let names = try await client.request(MessageType.readLink, .string("/shortcut")).names()
            #expect(names.count == 1)
            #expect(names.first?.name == "data.txt")
            #expect(names.first?.attributes == SFTPAttributes())

            let handle = try await client.open("/shortcut", .read)
            #expect(try await client.readToEnd(handle) == Array("linked".utf8))

            #expect(try await client.status(MessageType.symbolicLink, .string("./a/../b"), .string("/odd")).status == .ok)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: host("/odd")) == "./a/../b")
        }
    }

    @Test("hardlink@openssh.com is not offered and is answered OP_UNSUPPORTED")
    func hardLink() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            _ = FileManager.default.createFile(atPath: fileSystem.base.hostPath("/a"), contents: nil)
            let status = try await client.extended("hardlink@openssh.com", .string("/a"), .string("/b")).status()
            #expect(status.status == .operationUnsupported)
            #expect(!FileManager.default.fileExists(atPath: fileSystem.base.hostPath("/b")))
        }
    }
}
