import ConfinedFiles
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("File manager operations inside a confined directory")
struct FileOperationTests {
    static func withVolume(_ body: (HostileVolume, ConfinedDirectory) throws -> Void) throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        try body(volume, try ConfinedDirectory(path: volume.root, owner: (54321, 54321)))
    }

    @Test("a listing gives each entry's kind, size, mode and time")
    func listing() throws {
        try Self.withVolume { volume, directory in
            try volume.file("server.properties", "motd=A server\n")
            chmod(volume.root + "/server.properties", 0o640)
            try directory.makeFolder("world/region")
            let entries = Dictionary(uniqueKeysWithValues: try directory.list("").map { ($0.name, $0) })
            #expect(entries.keys.sorted() == ["server.properties", "world"])
            let file = try #require(entries["server.properties"])
            #expect(file.kind == .file && file.size == 14 && file.mode == 0o640)
            #expect(abs(file.modified.timeIntervalSinceNow) < 600)
            #expect(entries["world"]?.kind == .folder)
            #expect(try directory.list("/world").map(\.name) == ["region"])
            #expect(throws: ConfinedFileError.notAFolder("server.properties")) { try directory.list("server.properties") }
            #expect(throws: ConfinedFileError.notFound("missing")) { try directory.list("missing") }
            #expect(try directory.entry(at: "/").kind == .folder)
            var status = stat()
            #expect(lstat(volume.root + "/world/region", &status) == 0 && status.st_uid == 54321, "new folders are the instance's")
        }
    }

    @Test("a write in progress leaves the old file whole; abandoned, nothing is left of it; committed, it replaces the file")
    func atomicWrites() throws {
        try Self.withVolume { volume, directory in
            try directory.write(Data("version 1".utf8), to: "config.yml")
            let writer = try directory.beginWrite(to: "config.yml")
            try Data("version 2, half".utf8).withUnsafeBytes { try writer.append($0) }
            #expect(try directory.read("config.yml") == Data("version 1".utf8))
            writer.abandon()
            #expect(try directory.read("config.yml") == Data("version 1".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: volume.root) == ["config.yml"], "no temporary file is left")
            do {
                let dropped = try directory.beginWrite(to: "config.yml")
                try Data("dropped upload".utf8).withUnsafeBytes { try dropped.append($0) }
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: volume.root) == ["config.yml"], "a writer released uncommitted cleans up")
            let next = try directory.beginWrite(to: "config.yml", mode: 0o600)
            try Data("version 2".utf8).withUnsafeBytes { try next.append($0) }
            try next.commit()
            #expect(next.written == 9)
            #expect(try directory.read("config.yml") == Data("version 2".utf8))
            #expect(try directory.entry(at: "config.yml").mode == 0o600)
            #expect(throws: ConfinedFileError.notARegularFile("/")) { try directory.beginWrite(to: "/") }
        }
    }

    @Test("move never replaces, makes folders on the way and refuses a folder into itself")
    func moves() throws {
        try Self.withVolume { volume, directory in
            try volume.file("a.txt", "a")
            try volume.file("b.txt", "b")
            #expect(throws: ConfinedFileError.exists("b.txt")) { try directory.move("a.txt", to: "b.txt") }
            #expect(try directory.read("b.txt") == Data("b".utf8))
            try directory.move("a.txt", to: "archive/2026/a.txt")
            #expect(try directory.read("archive/2026/a.txt") == Data("a".utf8))
            #expect(throws: ConfinedFileError.notFound("a.txt")) { try directory.move("a.txt", to: "c.txt") }
            #expect(throws: ConfinedFileError.refused("archive/2026/inner", "a folder cannot be moved into itself")) {
                try directory.move("archive", to: "archive/2026/inner")
            }
            #expect(throws: ConfinedFileError.refused("/", "the root folder itself cannot be changed")) { try directory.move("/", to: "x") }
        }
    }

    @Test("copy takes folders whole, keeps modes, refuses an existing destination and a folder into itself")
    func copies() throws {
        try Self.withVolume { volume, directory in
            try volume.file("plugins/a.jar", String(repeating: "x", count: 300_000))
            chmod(volume.root + "/plugins/a.jar", 0o600)
            try volume.link("plugins/latest", to: "a.jar")
            try directory.copy("plugins", to: "plugins-backup")
            #expect(try directory.read("plugins-backup/a.jar")?.count == 300_000)
            #expect(try directory.entry(at: "plugins-backup/a.jar").mode == 0o600)
            #expect(try directory.entry(at: "plugins-backup/latest").linkTarget == "a.jar")
            var status = stat()
            #expect(lstat(volume.root + "/plugins-backup/a.jar", &status) == 0 && status.st_uid == 54321)
            #expect(throws: ConfinedFileError.exists("plugins-backup")) { try directory.copy("plugins", to: "plugins-backup") }
            #expect(throws: ConfinedFileError.refused("plugins/again", "a folder cannot be copied into itself")) {
                try directory.copy("plugins", to: "plugins/again")
            }
        }
    }

    @Test("delete removes folders whole; chmod sets permissions and refuses set-id bits")
    func deleteAndMode() throws {
        try Self.withVolume { volume, directory in
            try volume.file("logs/2026/a.log", "a")
            try volume.file("logs/b.log", "b")
            try directory.delete("logs")
            #expect(!FileManager.default.fileExists(atPath: volume.root + "/logs"))
            #expect(throws: ConfinedFileError.notFound("logs")) { try directory.delete("logs") }
            #expect(throws: ConfinedFileError.refused("/", "the root folder itself cannot be changed")) { try directory.delete("/") }
            try volume.file("start.sh", "#!/bin/sh")
            try directory.setMode(0o755, of: "start.sh")
            #expect(try directory.entry(at: "start.sh").mode == 0o755)
            #expect(throws: ConfinedFileError.refused("start.sh", "set-uid and set-gid bits may not be set")) {
                try directory.setMode(0o4755, of: "start.sh")
            }
            #expect(try directory.entry(at: "start.sh").mode == 0o755)
        }
    }

    @Test("a disk that fills during a write leaves the original file intact and no partial file behind")
    func fullDisk() throws {
        // A real full file system: a 256 KiB tmpfs mounted for the test (the suite runs as root).
        let volume = try HostileVolume()
        defer { volume.remove() }
        try #require(getuid() == 0, "mounting a small file system needs root, which the test script runs as")
        #expect(mount("tmpfs", volume.root, "tmpfs", 0, "size=256k") == 0)
        defer { umount2(volume.root, Int32(MNT_DETACH)) }
        let directory = try ConfinedDirectory(path: volume.root)
        try directory.write(Data("the original".utf8), to: "world.dat")
        let writer = try directory.beginWrite(to: "world.dat")
        let chunk = Data(count: 64 << 10)
        var failure: ConfinedFileError?
        do {
            for _ in 0..<16 { try chunk.withUnsafeBytes { try writer.append($0) } }
            try writer.commit()
        } catch let error as ConfinedFileError {
            failure = error
            writer.abandon()
        }
        #expect(failure?.isOutOfSpace == true, "the write failed with ENOSPC: \(String(describing: failure))")
        #expect(try directory.read("world.dat") == Data("the original".utf8))
        #expect(try directory.list("/").map(\.name) == ["world.dat"])
        // A copy that does not fit is removed again.
        try directory.write(Data(count: 100 << 10), to: "big.dat")
        try directory.copy("big.dat", to: "first-copy.dat")
        #expect(performing: { try directory.copy("big.dat", to: "second-copy.dat") }, throws: { ($0 as? ConfinedFileError)?.isOutOfSpace == true })
        #expect(try directory.list("/").map(\.name).sorted() == ["big.dat", "first-copy.dat", "world.dat"])
    }
}
