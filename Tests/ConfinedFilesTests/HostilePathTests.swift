import ConfinedFiles
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What a tenant can plant in its own volume, thrown at every operation of the confined layer. Each test
/// ends by checking the host's files beside the volume are exactly as they were.
@Suite("Hostile paths and links against the confined file layer")
struct HostilePathTests {
    static func withVolume(_ body: (HostileVolume, ConfinedDirectory) throws -> Void) throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        try body(volume, try ConfinedDirectory(path: volume.root, owner: (54321, 54321)))
        #expect(volume.hostUnchanged(), "the host's files beside the volume are untouched")
    }

    @Test("paths that climb, hide a NUL or look encoded are refused or stay literal names inside")
    func hostilePaths() throws {
        try Self.withVolume { volume, directory in
            #expect(throws: ConfinedFileError.outside("../../etc/passwd")) { try directory.read("../../etc/passwd") }
            #expect(throws: ConfinedFileError.outside("a/../../host-secret")) { try directory.openFile("a/../../host-secret") }
            #expect(throws: ConfinedFileError.invalidPath("x\0/../host-secret", "it contains a NUL character")) {
                try directory.read("x\0/../host-secret")
            }
            // Encoded and Windows-style climbs are ordinary names on Linux: files inside, which do not exist.
            #expect(throws: ConfinedFileError.notFound("%2e%2e/host-secret")) { try directory.openFile("%2e%2e/host-secret") }
            #expect(throws: ConfinedFileError.notFound("..\\host-secret")) { try directory.openFile("..\\host-secret") }
            try directory.write(Data("literal".utf8), to: "..\\host-secret")
            #expect(FileManager.default.fileExists(atPath: volume.root + "/..\\host-secret"))
            // An absolute path starts at the volume's root.
            #expect(throws: ConfinedFileError.notFound(volume.secret)) { try directory.openFile(volume.secret) }
            #expect(throws: ConfinedFileError.outside("../host-folder/new")) { try directory.makeFolder("../host-folder/new") }
            #expect(throws: ConfinedFileError.outside("../host-secret")) { try directory.delete("../host-secret") }
            #expect(throws: ConfinedFileError.outside("../host-secret")) { try directory.move("../host-secret", to: "stolen") }
            #expect(throws: ConfinedFileError.outside("../stolen")) { try directory.move("..\\host-secret", to: "../stolen") }
        }
    }

    @Test(
        "x -> the host's secret is listed as a link leading out; read, stat, chmod, open and copy refuse it; write and delete replace or remove the link alone"
    )
    func linkToHostFile() throws {
        try Self.withVolume { volume, directory in
            try volume.link("x", to: volume.secret)
            let entry = try #require(try directory.list("/").first { $0.name == "x" })
            #expect(entry.kind == .link)
            #expect(entry.linkTarget == volume.secret)
            #expect(entry.linkState == .outside)
            #expect(try directory.entry(at: "x").kind == .link, "stat describes the link, not its target")
            #expect(throws: ConfinedFileError.outside("x")) { try directory.read("x") }
            #expect(throws: ConfinedFileError.outside("x")) { try directory.openFile("x") }
            #expect(throws: ConfinedFileError.refused("x", "a link has no permissions of its own; change its target instead")) {
                try directory.setMode(0o666, of: "x")
            }
            try directory.copy("x", to: "x-copy")
            #expect(try directory.entry(at: "x-copy").linkTarget == volume.secret, "a link is copied as a link; its target is never read")
            try directory.move("x-copy", to: "moved/x")
            #expect(try directory.entry(at: "moved/x").kind == .link)
            try directory.delete("moved")
            try directory.write(Data("mine".utf8), to: "x")
            #expect(try directory.entry(at: "x").kind == .file, "the write replaced the link with a file")
            try volume.link("y", to: "../host-secret")
            #expect(try directory.entry(at: "y").linkState == .outside)
            try directory.delete("y")
            #expect(!FileManager.default.fileExists(atPath: volume.root + "/y"))
        }
    }

    @Test("ext -> /root-like folder: writing ext/.ssh/authorized_keys, making folders or listing through it is refused")
    func linkToHostFolder() throws {
        try Self.withVolume { volume, directory in
            try volume.link("ext", to: volume.hostFolder)
            #expect(throws: ConfinedFileError.outside("ext/.ssh/authorized_keys")) {
                try directory.write(Data("ssh-ed25519 AAAA attacker".utf8), to: "ext/.ssh/authorized_keys")
            }
            #expect(throws: ConfinedFileError.outside("ext/.ssh")) { try directory.makeFolder("ext/.ssh") }
            #expect(throws: ConfinedFileError.outside("ext")) { try directory.list("ext") }
            #expect(throws: ConfinedFileError.outside("ext/kept")) { try directory.read("ext/kept") }
            #expect(throws: ConfinedFileError.outside("ext/kept")) { try directory.delete("ext/kept") }
            #expect(throws: ConfinedFileError.outside("ext/kept")) { try directory.setMode(0o777, of: "ext/kept") }
            #expect(throws: ConfinedFileError.outside("ext/kept")) { try directory.move("ext/kept", to: "taken") }
            #expect(throws: ConfinedFileError.outside("ext/kept")) { try directory.copy("ext/kept", to: "taken") }
            #expect(throws: ConfinedFileError.outside("ext/new")) { try directory.move("inside", to: "ext/new") }
            // Deleting a folder that holds the link deletes the link, never what it points to.
            try directory.makeFolder("world")
            try volume.link("world/ext", to: volume.hostFolder)
            try directory.delete("world")
            #expect(!FileManager.default.fileExists(atPath: volume.root + "/world"))
        }
    }

    @Test("dangling and chained links: inside chains are followed, a chain that ends outside is refused")
    func chainedLinks() throws {
        try Self.withVolume { volume, directory in
            try volume.file("data/real.txt", "real")
            try volume.link("a", to: "b")
            try volume.link("b", to: "data/real.txt")
            #expect(try directory.read("a") == Data("real".utf8))
            #expect(try directory.entry(at: "a").linkState == .inside)
            try volume.link("c", to: "d")
            try volume.link("d", to: "data/../../host-secret")
            #expect(throws: ConfinedFileError.outside("c")) { try directory.read("c") }
            #expect(try directory.entry(at: "c").linkState == .outside)
            try volume.link("loop1", to: "loop2")
            try volume.link("loop2", to: "loop1")
            #expect(throws: ConfinedFileError.outside("loop1")) { try directory.read("loop1") }
            try volume.link("nowhere", to: "missing")
            #expect(try directory.entry(at: "nowhere").linkState == .dangling)
            #expect(try directory.read("nowhere") == nil)
            try volume.link("data/up", to: "../data")
            #expect(try directory.list("data/up").map(\.name).sorted() == ["real.txt", "up"], "a link that climbs but stays inside is followed")
        }
    }

    @Test("a folder swapped for a link to the host in a tight loop never lets a write or delete through")
    func swapRace() throws {
        try Self.withVolume { volume, directory in
            try directory.makeFolder("plugins")
            let stop = Atomic(false)
            let swapper = Thread {
                let folder = volume.root + "/plugins"
                let parked = volume.root + "/plugins-real"
                while !stop.value {
                    rename(folder, parked)
                    symlink(volume.hostFolder, folder)
                    unlink(folder)
                    rename(parked, folder)
                }
            }
            swapper.start()
            for round in 0..<2000 {
                try? directory.write(Data("round \(round)".utf8), to: "plugins/evil.jar")
                try? directory.delete("plugins/kept")
                try? directory.setMode(0o777, of: "plugins/kept")
                try? directory.makeFolder("plugins/sub\(round)")
            }
            stop.value = true
            while !swapper.isFinished { usleep(1000) }
        }
    }

    @Test("the component walk used without openat2 refuses every link and still reaches ordinary files")
    func componentWalk() throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        let directory = try ConfinedDirectory(path: volume.root, resolution: .componentWalk)
        try volume.file("config/server.properties", "motd=hi")
        #expect(try directory.read("config/server.properties") == Data("motd=hi".utf8))
        try volume.link("ext", to: volume.hostFolder)
        try volume.link("inside", to: "config")
        #expect(throws: ConfinedFileError.outside("ext/kept")) { try directory.read("ext/kept") }
        #expect(throws: ConfinedFileError.outside("inside/server.properties")) { try directory.read("inside/server.properties") }
        #expect(throws: ConfinedFileError.outside("ext/x")) { try directory.write(Data(), to: "ext/x") }
        #expect(try directory.list("/").map(\.name).sorted() == ["config", "ext", "inside"])
        #expect(volume.hostUnchanged())
    }
}

/// A flag two threads share in the race test.
final class Atomic: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Bool
    init(_ value: Bool) { stored = value }
    var value: Bool {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
