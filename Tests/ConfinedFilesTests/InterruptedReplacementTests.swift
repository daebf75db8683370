import BerthTestSupport
import ConfinedFiles
import Foundation
import Testing

/// What a restore leaves when its process ends mid-way, as it would be found at the next start, and how it
/// is put right: the volume is then the old files or the new ones, whole, never a mix.
@Suite("Replacements cut short")
struct InterruptedReplacementTests {
    static func listing(_ volume: HostileVolume) -> [String] {
        (FileManager.default.subpaths(atPath: volume.root) ?? []).sorted()
    }

    @Test("cut short while the old files were moved aside: they all come back, and the staged ones go")
    func rollsBack() throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        try volume.file(".berth-previous-7/server.properties", "old")
        try volume.file("world/level.dat", "old level")
        try volume.file(".berth-restore-7/server.properties", "new")
        try volume.file(".berth-restore-7/world/level.dat", "new level")
        let outcomes = try ConfinedDirectory(path: volume.root).finishInterruptedReplacement()
        #expect(outcomes == [.rolledBack])
        #expect(Self.listing(volume) == ["server.properties", "world", "world/level.dat"])
        #expect(try String(contentsOfFile: volume.root + "/server.properties", encoding: .utf8) == "old")
        #expect(try String(contentsOfFile: volume.root + "/world/level.dat", encoding: .utf8) == "old level")
    }

    @Test("cut short while the new files were moved in: the rest of them come in, and the old ones go")
    func completes() throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        try volume.file(".berth-replaced-9/server.properties", "old")
        try volume.file(".berth-replaced-9/old-only.txt", "old")
        try volume.file("server.properties", "new")
        try volume.file(".berth-restore-9/world/level.dat", "new level")
        let outcomes = try ConfinedDirectory(path: volume.root).finishInterruptedReplacement()
        #expect(outcomes == [.completed])
        #expect(Self.listing(volume) == ["server.properties", "world", "world/level.dat"])
        #expect(try String(contentsOfFile: volume.root + "/world/level.dat", encoding: .utf8) == "new level")
    }

    @Test("a staging folder alone (an unpack cut short) is removed; the tenant's look-alikes are left as they are")
    func stagingAndLookAlikes() throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        try volume.file("kept.txt", "kept")
        try volume.file(".berth-restore-3/half.txt", "half")
        // A tenant's: a link that leads out and a file, named as the folders are.
        try volume.link(".berth-previous-1", to: volume.hostFolder)
        try volume.link(".berth-replaced-2", to: "..")
        try volume.file(".berth-previous-4", "a file")
        let outcomes = try ConfinedDirectory(path: volume.root).finishInterruptedReplacement()
        #expect(outcomes == [.stagingRemoved])
        #expect(Self.listing(volume) == [".berth-previous-1", ".berth-previous-4", ".berth-replaced-2", "kept.txt"])
        #expect(volume.hostUnchanged(), "nothing was moved out of or into the host's folder")
        #expect(try ConfinedDirectory(path: volume.root).finishInterruptedReplacement().isEmpty, "nothing more to do")
    }
}

/// A replacement told how its staging folder is counted (``ConfinedDirectory/StagingCount``), as project
/// quotas count it: before the unpack with the folder empty, after it with everything in it, and a refusal
/// at the end changes nothing.
@Suite("Replacements counted apart")
struct StagingCountTests {
    final class Seen: @unchecked Sendable {
        var beforeUnpacking: [String]?
        var beforeTakingPlace: [String]?
    }

    /// The names in the folder open as `descriptor`, read from it as a file system's own calls would (a
    /// descriptor opened as a path only cannot be read).
    static func names(in descriptor: Int32) -> [String]? {
        guard let folder = fdopendir(dup(descriptor)) else { return nil }
        defer { closedir(folder) }
        rewinddir(folder)
        var names: [String] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    @Test("the staging folder is handed over empty, then full; a refusal before the swap leaves the old files")
    func hooks() throws {
        let volume = try HostileVolume()
        defer { volume.remove() }
        try volume.file("server.properties", "old")
        let archive = volume.hostFolder + "/backup.tar.gz"
        try TestArchive.write([.file("server.properties", Data("new".utf8)), .file("world/level.dat", Data("level".utf8))], to: archive)
        let directory = try ConfinedDirectory(path: volume.root)
        let limits = ExtractionLimits(maximumEntries: 100, maximumBytes: 1 << 20)
        let seen = Seen()

        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try directory.replaceContents(
                withArchiveAt: archive,
                shown: "backup",
                limits: limits,
                counting: ConfinedDirectory.StagingCount(
                    whileUnpacking: { seen.beforeUnpacking = Self.names(in: $0) },
                    beforeTakingPlace: { _ in throw Refused() }
                )
            )
        }
        #expect(seen.beforeUnpacking == [])
        #expect(try String(contentsOfFile: volume.root + "/server.properties", encoding: .utf8) == "old")
        #expect(InterruptedReplacementTests.listing(volume) == ["server.properties"], "no staging folder is left")

        try directory.replaceContents(
            withArchiveAt: archive,
            shown: "backup",
            limits: limits,
            counting: ConfinedDirectory.StagingCount(
                whileUnpacking: { _ in },
                beforeTakingPlace: { seen.beforeTakingPlace = Self.names(in: $0) }
            )
        )
        #expect(seen.beforeTakingPlace == ["server.properties", "world"])
        #expect(try String(contentsOfFile: volume.root + "/server.properties", encoding: .utf8) == "new")
    }
}
