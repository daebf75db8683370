import Foundation
import NIOCore
import SFTP
import Testing

@Suite("Directories")
struct SFTPDirectoryTests {
    /// Every entry of `path`, READDIR after READDIR until EOF, with the NAME packets they came in.
    private func list(_ path: String, with client: SFTPTestClient) async throws -> (names: [String], longNames: [String], pages: [Reply]) {
        let handle = try await client.request(MessageType.openDirectory, .string(path)).handle()
        var names: [String] = []
        var longNames: [String] = []
        var pages: [Reply] = []
        while true {
            let reply = try await client.request(MessageType.readDirectory, .bytes(handle))
            if reply.type == MessageType.status {
                #expect(try reply.status().status == .endOfFile)
                break
            }
            pages.append(reply)
            for entry in try reply.names() {
                names.append(entry.name)
                longNames.append(entry.longName)
            }
        }
        // Past the end, the answer stays EOF.
        #expect(try await client.status(MessageType.readDirectory, .bytes(handle)).status == .endOfFile)
        #expect(try await client.status(MessageType.close, .bytes(handle)).status == .ok)
        return (names, longNames, pages)
    }

    @Test("A folder of 1,000 files is listed in pages of at most 100, each name once, then EOF")
    func pagedListing() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            try FileManager.default.createDirectory(atPath: fileSystem.base.hostPath("/many"), withIntermediateDirectories: false)
            let expected = (0..<1_000).map { "file-\($0).txt" }
            for name in expected {
                _ = FileManager.default.createFile(atPath: fileSystem.base.hostPath("/many/\(name)"), contents: Data("12345".utf8))
            }
            let listing = try await list("/many", with: client)
            #expect(listing.names.count == 1_000)
            #expect(listing.names.sorted() == expected.sorted())
            #expect(listing.pages.count >= 10)
            #expect(try listing.pages.allSatisfy { try $0.names().count <= 100 })
            for (name, longName) in zip(listing.names, listing.longNames) {
                // ls -l's fields: mode, links, owner, group, size, month, day, time or year, name.
                let fields = longName.split(separator: " ")
                #expect(fields.count == 9)
                #expect(fields.first?.hasPrefix("-rw") == true)
                #expect(fields.count > 4 && fields[4] == "5")
                #expect(fields.last.map(String.init) == name)
            }
        }
    }

    @Test("A page is kept within the largest reply, whatever the names' lengths")
    func pageByteBudget() async throws {
        try await SFTPTestClient.withSession(limits: SFTPServerLimits(maximumReadLength: 2_048)) { client, fileSystem async throws in
            let expected = (0..<60).map { String(repeating: "n", count: 150) + "\($0)" }
            for name in expected {
                _ = FileManager.default.createFile(atPath: fileSystem.base.hostPath("/\(name)"), contents: nil)
            }
            let listing = try await list("/", with: client)
            #expect(listing.names.sorted() == expected.sorted())
            #expect(listing.pages.allSatisfy { $0.packet.readableBytes <= 2_048 + 13 })
            #expect(listing.pages.count > 5)
        }
    }

    @Test("Entries carry their attributes; an empty folder is EOF at once")
    func entryAttributes() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            #expect(try await client.status(MessageType.makeDirectory, .string("/empty"), .attributes(SFTPAttributes())).status == .ok)
            #expect(try await list("/empty", with: client).names.isEmpty)
            _ = FileManager.default.createFile(atPath: fileSystem.base.hostPath("/sized"), contents: Data(count: 321))
            let handle = try await client.request(MessageType.openDirectory, .string("/")).handle()
            let entries = try await client.request(MessageType.readDirectory, .bytes(handle)).names()
            let sized = try #require(entries.first { $0.name == "sized" })
            #expect(sized.attributes.size == 321)
            #expect(sized.attributes.permissions.map { $0 & 0o170000 } == 0o100000)
            let empty = try #require(entries.first { $0.name == "empty" })
            #expect(empty.longName.hasPrefix("d"))
        }
    }

    @Test("MKDIR makes a folder with the permissions asked, RMDIR removes it, and not a full one")
    func makeAndRemoveDirectories() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            #expect(
                try await client.status(MessageType.makeDirectory, .string("/plugins"), .attributes(SFTPAttributes(permissions: 0o700))).status == .ok
            )
            let made = try FileManager.default.attributesOfItem(atPath: fileSystem.base.hostPath("/plugins"))
            #expect(made[.type] as? FileAttributeType == .typeDirectory)
            #expect((made[.posixPermissions] as? NSNumber)?.intValue == 0o700)
            #expect(try await client.status(MessageType.makeDirectory, .string("/plugins"), .attributes(SFTPAttributes())).status == .failure)

            _ = FileManager.default.createFile(atPath: fileSystem.base.hostPath("/plugins/a.jar"), contents: nil)
            #expect(try await client.status(MessageType.removeDirectory, .string("/plugins")).status == .failure)
            #expect(try await client.status(MessageType.remove, .string("/plugins/a.jar")).status == .ok)
            #expect(!FileManager.default.fileExists(atPath: fileSystem.base.hostPath("/plugins/a.jar")))
            #expect(try await client.status(MessageType.removeDirectory, .string("/plugins")).status == .ok)
            #expect(!FileManager.default.fileExists(atPath: fileSystem.base.hostPath("/plugins")))
        }
    }

    @Test("What is missing is answered NO_SUCH_FILE")
    func missingEntries() async throws {
        try await SFTPTestClient.withSession { client, _ async throws in
            #expect(try await client.status(MessageType.remove, .string("/nothing")).status == .noSuchFile)
            #expect(try await client.status(MessageType.removeDirectory, .string("/nothing")).status == .noSuchFile)
            #expect(try await client.status(MessageType.openDirectory, .string("/nothing")).status == .noSuchFile)
            #expect(try await client.status(MessageType.attributes, .string("/nothing")).status == .noSuchFile)
            #expect(try await client.status(MessageType.open, .string("/nothing"), .uint32(1), .attributes(SFTPAttributes())).status == .noSuchFile)
        }
    }
}
