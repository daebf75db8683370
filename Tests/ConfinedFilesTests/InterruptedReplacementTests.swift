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
