import ConfinedFiles
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Confined file access inside a volume")
struct ConfinedDirectoryTests {
    /// A fresh root, and beside it (outside) a decoy file a tenant would like to reach.
    static func withRoot(_ body: (String, String) throws -> Void) throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        try body(volume.root, volume.secret)
    }

    @Test("files are written whole, folders made, owners set, and read back")
    func roundTrip() throws {
        try Self.withRoot { root, _ in
            let directory = try ConfinedDirectory(path: root, owner: (54321, 54321))
            try directory.write(Data("a=1\n".utf8), to: "config/game/server.properties")
            #expect(try directory.read("config/game/server.properties") == Data("a=1\n".utf8))
            #expect(try directory.read("missing.txt") == nil)
            let attributes = try FileManager.default.attributesOfItem(atPath: root + "/config/game/server.properties")
            #expect(attributes[.ownerAccountID] as? Int == 54321)
            #expect(try FileManager.default.attributesOfItem(atPath: root + "/config")[.ownerAccountID] as? Int == 54321)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/config/game") == ["server.properties"], "no temporary file is left")
        }
    }

    @Test("links that leave the volume are refused, never followed; .. is refused; an absolute path starts at the root")
    func escapes() throws {
        try Self.withRoot { root, decoy in
            let directory = try ConfinedDirectory(path: root, owner: (54321, 54321))
            // server.properties -> the host's file, as a server inside the container can make it.
            try FileManager.default.createSymbolicLink(atPath: root + "/server.properties", withDestinationPath: decoy)
            #expect(throws: ConfinedFileError.outside("server.properties")) { try directory.read("server.properties") }
            try directory.write(Data("server-port=25565\n".utf8), to: "server.properties")
            #expect(try String(contentsOfFile: decoy, encoding: .utf8) == "host secret\n", "the host's file is untouched")
            let replaced = try FileManager.default.attributesOfItem(atPath: root + "/server.properties")
            #expect(replaced[.type] as? FileAttributeType == .typeRegular, "the link itself was replaced by a file")

            // A relative link that climbs out, and paths that try to.
            try FileManager.default.createSymbolicLink(atPath: root + "/up", withDestinationPath: "../host-secret")
            #expect(throws: ConfinedFileError.outside("up")) { try directory.read("up") }
            #expect(throws: ConfinedFileError.outside("../host-secret")) { try directory.read("../host-secret") }
            #expect(try directory.read(decoy) == nil, "an absolute path starts at the volume's root, where there is no such file")
            #expect(throws: ConfinedFileError.outside("../host-secret")) { try directory.write(Data(), to: "../host-secret") }

            // A folder that is a link to one outside: nothing is written through it.
            let outside = (decoy as NSString).deletingLastPathComponent + "/outside-folder"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: root + "/config", withDestinationPath: outside)
            #expect(throws: ConfinedFileError.outside("config/game.ini")) { try directory.write(Data("x".utf8), to: "config/game.ini") }
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        }
    }

    @Test("a FIFO, a folder or an oversized file where a file should be is refused, without blocking")
    func notFiles() throws {
        try Self.withRoot { root, _ in
            let directory = try ConfinedDirectory(path: root)
            #expect(mkfifo(root + "/pipe", 0o644) == 0)
            #expect(throws: ConfinedFileError.notARegularFile("pipe")) { try directory.read("pipe") }
            try FileManager.default.createDirectory(atPath: root + "/folder", withIntermediateDirectories: true)
            #expect(throws: ConfinedFileError.notARegularFile("folder")) { try directory.read("folder") }
            try Data(count: ConfinedDirectory.readLimit + 1).write(to: URL(fileURLWithPath: root + "/big"))
            #expect(throws: ConfinedFileError.tooLarge("big", limit: ConfinedDirectory.readLimit)) { try directory.read("big") }
        }
    }

    @Test("the room a folder's files take is counted through its folders, and a link to a host folder counts as a link")
    func allocatedBytes() throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        try Data(repeating: 1, count: 1 << 20).write(to: URL(fileURLWithPath: volume.root + "/world.dat"))
        try volume.file("plugins/config.yml", String(repeating: "x", count: 64 << 10))
        try Data(repeating: 2, count: 4 << 20).write(to: URL(fileURLWithPath: volume.hostFolder + "/big"))
        try volume.link("outside", to: volume.hostFolder)
        let counted = try ConfinedDirectory(path: volume.root).allocatedBytes()
        #expect(counted >= (1 << 20) + (64 << 10) && counted < 2 << 20, "\(counted)")
    }
}
