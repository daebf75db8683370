import Foundation
import NIOCore
import SFTP
import Testing

@Suite("OpenSSH's extensions and requests not offered")
struct SFTPExtensionTests {
    @Test("statvfs and fstatvfs answer the file system's 11 figures in OpenSSH's order")
    func fileSystemStats() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            var host = statvfs()
            #expect(statvfs(fileSystem.base.root, &host) == 0)
            let figures = try await client.extended("statvfs@openssh.com", .string("/")).figures()
            #expect(figures.count == 11)
            #expect(figures[0] == UInt64(host.f_bsize))
            #expect(figures[1] == UInt64(host.f_frsize))
            #expect(figures[2] == UInt64(host.f_blocks))
            #expect(figures[8] == UInt64(host.f_fsid))
            #expect(figures[10] == UInt64(host.f_namemax))

            let handle = try await client.open("/f", [.write, .create])
            let byHandle = try await client.extended("fstatvfs@openssh.com", .bytes(handle)).figures()
            #expect(byHandle.count == 11)
            #expect(byHandle[0] == figures[0])
            #expect(byHandle[10] == figures[10])
        }
    }

    @Test("limits answers packet, read and write lengths and the handle count")
    func limits() async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            #expect(try await client.extended("limits@openssh.com").figures() == [263_168, 261_120, 262_144, 256])
        }
        let limits = SFTPServerLimits(maximumPacketLength: 40_000, maximumReadLength: 32_768, maximumOpenHandles: 7)
        try await SFTPTestClient.withSession(limits: limits) { client, _ async throws in
            #expect(try await client.extended("limits@openssh.com").figures() == [40_000, 32_768, 38_976, 7])
        }
    }

    @Test("fsync flushes a file handle and refuses a directory's")
    func sync() async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            let file = try await client.open("/f", [.write, .create])
            #expect(try await client.extended("fsync@openssh.com", .bytes(file)).status().status == .ok)
            let directory = try await client.request(MessageType.openDirectory, .string("/")).handle()
            #expect(try await client.extended("fsync@openssh.com", .bytes(directory)).status().status == .failure)
        }
    }

    @Test("An unknown request type or extension is answered OP_UNSUPPORTED and the session goes on")
    func unsupported() async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            #expect(try await client.status(99, .string("whatever")).status == .operationUnsupported)
            #expect(try await client.status(MessageType.status, .uint32(0)).status == .operationUnsupported)
            #expect(try await client.extended("copy-data", .bytes([1, 2, 3])).status().status == .operationUnsupported)
            #expect(try await client.extended("\u{FF}bad@x").status().status == .operationUnsupported)
            #expect(try await client.request(MessageType.realPath, .string(".")).names().first?.name == "/")
        }
    }
}
