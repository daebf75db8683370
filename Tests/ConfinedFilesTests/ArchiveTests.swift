import BerthTestSupport
import ConfinedFiles
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Archives packed and unpacked inside a confined directory, and the hostile ones a tenant uploads. Every
/// refusal is checked to leave the volume exactly as it was and the host's files untouched.
@Suite("Archives inside a confined directory")
struct ArchiveTests {
    static let roomy = ExtractionLimits(maximumEntries: 50_000, maximumBytes: 1 << 30)

    /// Every path in the volume with its size, to compare before and after.
    static func snapshot(_ root: String) -> [String] {
        (FileManager.default.subpaths(atPath: root) ?? []).sorted().map { path in
            var status = stat()
            lstat(root + "/" + path, &status)
            return "\(path) \(status.st_mode & S_IFMT == S_IFREG ? status.st_size : 0)"
        }
    }

    /// Writes a hostile archive into the volume, tries to unpack it, and checks the refusal and that
    /// nothing changed.
    static func expectRefused(
        _ entries: [TestArchive.Entry],
        zip: Bool = false,
        limits: ExtractionLimits = roomy,
        saying reason: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        let name = zip ? "upload.zip" : "upload.tar.gz"
        try TestArchive.write(entries, to: volume.root + "/" + name, zip: zip)
        let directory = try ConfinedDirectory(path: volume.root)
        try directory.makeFolder("world")
        let before = snapshot(volume.root)
        #expect(throws: ConfinedFileError.refused(name, reason), sourceLocation: sourceLocation) {
            try directory.extract(name, into: "world", limits: limits)
        }
        #expect(snapshot(volume.root) == before, "the volume is as it was", sourceLocation: sourceLocation)
        #expect(volume.hostUnchanged(), sourceLocation: sourceLocation)
    }

    @Test("a folder packed as tar.gz and as zip unpacks to the same files, links kept as links")
    func roundTrip() throws {
        for format in ArchiveFormat.allCases {
            let volume = try HostileVolume()
            defer { volume.remove() }
            let directory = try ConfinedDirectory(path: volume.root, owner: (54321, 54321))
            try volume.file("world/level.dat", String(repeating: "level data ", count: 10_000))
            try volume.file("world/region/r.0.0.mca", "region")
            try volume.link("world/latest", to: "region/r.0.0.mca")
            try volume.file("server.properties", "motd=hi\n")
            let archive = "backup." + format.rawValue
            let packed = try directory.compress(["world", "server.properties"], in: "/", to: archive, format: format)
            #expect(packed.entries == 6 && packed.bytes == 110_000 + 6 + 8, "\(format): \(packed)")
            let unpacked = try directory.extract(archive, into: "restored", limits: Self.roomy)
            #expect(unpacked.entries == 6, "\(format)")
            #expect(try directory.read("restored/world/level.dat") == directory.read("world/level.dat"))
            #expect(try directory.read("restored/server.properties") == Data("motd=hi\n".utf8))
            #expect(try directory.entry(at: "restored/world/latest").linkTarget == "region/r.0.0.mca")
            var status = stat()
            #expect(
                lstat(volume.root + "/restored/world/region/r.0.0.mca", &status) == 0 && status.st_uid == 54321,
                "unpacked files are the instance's"
            )
            #expect(try directory.list("restored").map(\.name).sorted() == ["server.properties", "world"], "no staging folder is left")
            // Packing the folder the archive goes into leaves the archive out of itself.
            try directory.compress(["restored"], in: "/", to: "restored/self.\(format.rawValue)", format: format)
            #expect(try directory.inspectArchive("restored/self.\(format.rawValue)", limits: Self.roomy).entries == 7)
        }
    }

    @Test("packing says how far it has come: the bytes of files packed so far, growing to all of them")
    func packingProgress() throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        let directory = try ConfinedDirectory(path: volume.root)
        try volume.file("world/level.dat", String(repeating: "l", count: 700_000))
        try volume.file("world/region/r.0.0.mca", String(repeating: "r", count: 300_000))
        try volume.link("latest", to: "world/level.dat")
        let archive = FileManager.default.temporaryDirectory.appendingPathComponent("progress-\(UUID().uuidString).tar.zst").path
        let descriptor = open(archive, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer {
            close(descriptor)
            unlink(archive)
        }
        var heard: [Int64] = []
        let packed = try directory.pack(into: descriptor, format: .tarZst, shown: "backup", progress: { heard.append($0) })
        #expect(packed.bytes == 1_000_000)
        #expect(heard.last == 1_000_000, "ends at every byte packed")
        #expect(heard == heard.sorted() && heard.count >= 4, "grows piece by piece: \(heard)")
    }

    @Test("unpacking merges into existing folders and replaces files of the same name")
    func merging() throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        let directory = try ConfinedDirectory(path: volume.root)
        try volume.file("plugins/keep.jar", "kept")
        try volume.file("plugins/update.jar", "old")
        try TestArchive.write(
            [.folder("plugins"), .file("plugins/update.jar", Data("new".utf8)), .file("plugins/added.jar", Data("added".utf8))],
            to: volume.root + "/update.tar.gz"
        )
        try directory.extract("update.tar.gz", into: "/", limits: Self.roomy)
        #expect(try directory.read("plugins/keep.jar") == Data("kept".utf8))
        #expect(try directory.read("plugins/update.jar") == Data("new".utf8))
        #expect(try directory.read("plugins/added.jar") == Data("added".utf8))
        #expect(try directory.list("/").map(\.name).sorted() == ["plugins", "update.tar.gz"])
    }

    @Test("entries that climb out or are absolute are refused before anything is written")
    func escapingEntries() throws {
        try Self.expectRefused(
            [.file("ok.txt", Data("fine".utf8)), .file("../../evil", Data("x".utf8))],
            saying: "its entry ../../evil climbs out with .."
        )
        try Self.expectRefused(
            [.file("ok.txt", Data("fine".utf8)), .file("../../evil", Data("x".utf8))],
            zip: true,
            saying: "its entry ../../evil climbs out with .."
        )
        try Self.expectRefused([.file("/etc/x", Data("x".utf8))], saying: "its entry /etc/x has an absolute path")
        try Self.expectRefused([.file("a/../../b", Data("x".utf8))], zip: true, saying: "its entry a/../../b climbs out with ..")
    }

    @Test("a link entry to the host, followed by a file through it, is refused; so is a link that climbs out")
    func linkEntries() throws {
        try Self.expectRefused(
            [.link("l", to: "/etc"), .file("l/passwd", Data("root::0:0::/:/bin/sh\n".utf8))],
            saying: "its link l -> /etc leads out of the folder"
        )
        try Self.expectRefused([.folder("sub"), .link("sub/up", to: "../../..")], saying: "its link sub/up -> ../../.. leads out of the folder")
        // A link that stays inside is kept, and nothing is ever written through it: here the archive also
        // has a file below the link's name, which makes the link's creation fail and the whole unpack undone.
        let volume = try HostileVolume()
        defer { volume.remove() }
        let directory = try ConfinedDirectory(path: volume.root)
        try TestArchive.write([.folder("data"), .link("shortcut", to: "data"), .file("shortcut/x", Data("x".utf8))], to: volume.root + "/a.tar.gz")
        let before = Self.snapshot(volume.root)
        #expect(throws: ConfinedFileError.self) { try directory.extract("a.tar.gz", into: "/", limits: Self.roomy) }
        #expect(Self.snapshot(volume.root) == before)
        #expect(volume.hostUnchanged())
    }

    @Test("a zip bomb and an archive of too many entries are refused from their headers, before extraction")
    func bombs() throws {
        let small = ExtractionLimits(maximumEntries: 50_000, maximumBytes: 16 << 20)
        try Self.expectRefused(
            [.zeros("bomb.bin", count: 256 << 20)],
            zip: true,
            limits: small,
            saying: "it unpacks to more than 16777216 bytes, more than there is room for"
        )
        try Self.expectRefused(
            (0..<6).map { .zeros("part-\($0).bin", count: 3 << 20) },
            limits: small,
            saying: "it unpacks to more than 16777216 bytes, more than there is room for"
        )
        try Self.expectRefused(
            (0...100_000).map { .file("f\($0)", Data()) },
            limits: small,
            saying: "it holds more than 50000 entries, more than Berth unpacks at once"
        )
    }

    @Test("corrupt and truncated archives are refused and change nothing")
    func corrupt() throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        let directory = try ConfinedDirectory(path: volume.root)
        try TestArchive.write(
            (0..<50).map { .file("file-\($0).txt", Data(String(repeating: "\($0)", count: 4000).utf8)) },
            to: volume.root + "/whole.tar.gz"
        )
        let whole = try Data(contentsOf: URL(fileURLWithPath: volume.root + "/whole.tar.gz"))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: volume.root + "/truncated.tar.gz"))
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 97) }).write(to: URL(fileURLWithPath: volume.root + "/noise.zip"))
        let before = Self.snapshot(volume.root)
        for name in ["truncated.tar.gz", "noise.zip"] {
            #expect(
                performing: { try directory.extract(name, into: "out", limits: Self.roomy) },
                throws: { error in
                    guard case ConfinedFileError.refused(name, let reason) = error else { return false }
                    return reason.hasPrefix("it is not an archive Berth can read")
                }
            )
        }
        #expect(Self.snapshot(volume.root) == before, "nothing of a refused archive is left, not even the folder it was to go in")
    }

    @Test("a disk that fills while unpacking leaves the volume as it was")
    func fullDisk() throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        try #require(getuid() == 0, "mounting a small file system needs root, which the test script runs as")
        #expect(mount("tmpfs", volume.root, "tmpfs", 0, "size=512k") == 0)
        defer { umount2(volume.root, Int32(MNT_DETACH)) }
        let directory = try ConfinedDirectory(path: volume.root)
        try TestArchive.write([.file("keep.txt", Data("kept".utf8)), .zeros("big.bin", count: 2 << 20)], to: volume.root + "/big.tar.gz")
        try directory.write(Data("original".utf8), to: "keep.txt")
        let before = Self.snapshot(volume.root)
        #expect(
            performing: { try directory.extract("big.tar.gz", into: "/", limits: Self.roomy) },
            throws: { ($0 as? ConfinedFileError)?.isOutOfSpace == true }
        )
        #expect(Self.snapshot(volume.root) == before)
        #expect(
            performing: { try directory.extract("big.tar.gz", into: "new/folder", limits: Self.roomy) },
            throws: { ($0 as? ConfinedFileError)?.isOutOfSpace == true }
        )
        #expect(Self.snapshot(volume.root).filter { $0 != "new 0" } == before, "the folder made for it is removed again")
        #expect(try directory.read("keep.txt") == Data("original".utf8), "a file the archive would replace is intact")
    }
}
