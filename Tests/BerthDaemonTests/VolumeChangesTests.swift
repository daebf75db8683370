import ConfinedFiles
import Foundation
import Testing

@testable import BerthDaemon

/// A live transfer's second step: what changed in a volume since its copy was taken, as blocks, applied
/// to the copy through the confined file layer. Real files in temporary folders; the copy ends equal to
/// the volume, only changed blocks travel, and a record the sender did not mean (a path out, a link in
/// the way) cannot write outside the copy.
@Suite("Volume changes: what a live transfer sends after the stop")
struct VolumeChangesTests {
    @Test(
        "the copy becomes the volume: a changed block of a large file, new, removed, grown, shrunk and replaced entries, links and modes; only changed blocks travel"
    )
    func copyBecomesTheVolume() throws {
        try withFolders { volume, copy, scratch in
            let block = VolumeManifest.blockSize
            let world = Data((0..<(3 * block + 100)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
            try write(world, volume, "world/region.mca")
            try write(Data("motd=hello".utf8), volume, "server.properties")
            try write(Data("old".utf8), volume, "logs/old.log")
            try write(Data(repeating: 1, count: 10), volume, "shrinks.bin")
            try write(Data("becomes a folder".utf8), volume, "plugins")
            try FileManager.default.createSymbolicLink(atPath: volume + "/latest.log", withDestinationPath: "logs/old.log")
            try copyTree(volume, to: copy)
            let manifest = try VolumeManifest.of(try ConfinedDirectory(path: copy))
            #expect(manifest.files["/world/region.mca"]?.blocks.count == 4)

            // While it ran after the copy: one byte in the second block, and the rest of the world's changes.
            var changedWorld = world
            changedWorld[block + 5] ^= 0xff
            try write(changedWorld, volume, "world/region.mca")
            try write(Data("motd=changed".utf8), volume, "server.properties")
            try FileManager.default.removeItem(atPath: volume + "/logs")
            try write(Data("new".utf8), volume, "logs/new.log")
            try write(Data(repeating: 2, count: 4), volume, "shrinks.bin")
            try FileManager.default.removeItem(atPath: volume + "/plugins")
            try write(Data("a plugin".utf8), volume, "plugins/a.jar")
            try FileManager.default.removeItem(atPath: volume + "/latest.log")
            try FileManager.default.createSymbolicLink(atPath: volume + "/latest.log", withDestinationPath: "logs/new.log")
            chmod(volume + "/server.properties", 0o600)

            let summary = try send(from: volume, against: manifest, to: copy, scratch: scratch)
            #expect(try tree(of: copy) == tree(of: volume), "the copy is the volume")
            // The world's changed block, and the small files whole: never the world's other three blocks.
            let small = Int64("motd=changed".utf8.count + "new".utf8.count + 4 + "a plugin".utf8.count)
            #expect(summary.blockBytes == Int64(block) + small, "\(summary.blockBytes) bytes of blocks")
        }
    }

    @Test("nothing changed sends nothing but the records' headers")
    func nothingChanged() throws {
        try withFolders { volume, copy, scratch in
            try write(Data(repeating: 9, count: 2 * VolumeManifest.blockSize), volume, "big.bin")
            try copyTree(volume, to: copy)
            let manifest = try VolumeManifest.of(try ConfinedDirectory(path: copy))
            let summary = try send(from: volume, against: manifest, to: copy, scratch: scratch)
            #expect(summary == VolumeChanges.Summary(records: 0, blockBytes: 0))
        }
    }

    @Test("changes that lead out of the copy, or through a link in it, write nothing outside")
    func hostileChanges() throws {
        try withFolders { _, copy, scratch in
            let outside = scratch + "/outside.txt"
            try Data("untouched".utf8).write(to: URL(fileURLWithPath: outside))
            // A link in the copy where the changes write a file: the link goes, the file is made in its place.
            try FileManager.default.createSymbolicLink(atPath: copy + "/data.bin", withDestinationPath: outside)
            let files = try ConfinedDirectory(path: copy)
            try apply(
                [VolumeChanges.Record(operation: .file, path: "/data.bin", mode: 0o644, size: 3, blocks: [0])],
                payload: Data("new".utf8),
                to: files,
                scratch: scratch
            )
            #expect(try String(contentsOfFile: outside, encoding: .utf8) == "untouched")
            #expect(try String(contentsOfFile: copy + "/data.bin", encoding: .utf8) == "new")
            #expect(try FileManager.default.attributesOfItem(atPath: copy + "/data.bin")[.type] as? FileAttributeType == .typeRegular)

            for path in ["/../outside.txt", "/a/../../outside.txt"] {
                #expect(throws: (any Error).self, "\(path)") {
                    try apply(
                        [VolumeChanges.Record(operation: .file, path: path, mode: 0o644, size: 1, blocks: [0])],
                        payload: Data("x".utf8),
                        to: files,
                        scratch: scratch
                    )
                }
            }
            #expect(throws: (any Error).self, "a delete that leads out") {
                try apply([VolumeChanges.Record(operation: .delete, path: "/../outside.txt")], payload: Data(), to: files, scratch: scratch)
            }
            #expect(throws: (any Error).self, "a block past the file's size") {
                try apply(
                    [VolumeChanges.Record(operation: .file, path: "/late.bin", mode: 0o644, size: 1, blocks: [5])],
                    payload: Data("x".utf8),
                    to: files,
                    scratch: scratch
                )
            }
            #expect(throws: (any Error).self, "blocks that are not there") {
                try apply(
                    [VolumeChanges.Record(operation: .file, path: "/short.bin", mode: 0o644, size: 100, blocks: [0])],
                    payload: Data("x".utf8),
                    to: files,
                    scratch: scratch
                )
            }
            #expect(FileManager.default.fileExists(atPath: outside), "nothing outside was deleted")
            #expect(try String(contentsOfFile: outside, encoding: .utf8) == "untouched")
        }
    }

    // MARK: - Helpers

    private func withFolders(_ body: (String, String, String) throws -> Void) throws {
        let root = NSTemporaryDirectory() + "berth-changes-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        for folder in ["volume", "copy", "scratch"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        try body(root + "/volume", root + "/copy", root + "/scratch")
    }

    private func write(_ data: Data, _ root: String, _ path: String) throws {
        let url = URL(fileURLWithPath: root + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    private func copyTree(_ source: String, to destination: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: source) {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: destination + "/" + name)
        }
    }

    /// The sending node's writing and the receiving node's applying, through a changes file in `scratch`.
    private func send(from volume: String, against manifest: VolumeManifest, to copy: String, scratch: String) throws -> VolumeChanges.Summary {
        let scratchFiles = try ConfinedDirectory(path: scratch)
        let writer = try scratchFiles.beginWrite(to: "changes")
        let written = try VolumeChanges.write(from: try ConfinedDirectory(path: volume), against: manifest, to: writer)
        try writer.commit()
        let applied = try VolumeChanges.apply(try scratchFiles.openFile("changes"), to: try ConfinedDirectory(path: copy), room: 1 << 30)
        #expect(applied.blockBytes == written.blockBytes && applied.records == written.records)
        return written
    }

    /// Records as a sender could write them, whatever they say, applied.
    private func apply(_ records: [VolumeChanges.Record], payload: Data, to files: ConfinedDirectory, scratch: String) throws {
        var bytes = Data()
        for record in records {
            let header = try JSONEncoder().encode(record)
            bytes.append(contentsOf: withUnsafeBytes(of: UInt32(header.count).bigEndian) { Array($0) })
            bytes.append(header)
        }
        bytes.append(payload)
        let scratchFiles = try ConfinedDirectory(path: scratch)
        try? scratchFiles.delete("/hostile")
        try scratchFiles.write(bytes, to: "/hostile")
        _ = try VolumeChanges.apply(try scratchFiles.openFile("/hostile"), to: files, room: 1 << 30)
    }

    /// Every entry below `root`: kind, mode, and a file's bytes or a link's target.
    private func tree(of root: String) throws -> [String: String] {
        var entries: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let path = enumerator?.nextObject() as? String {
            let full = root + "/" + path
            let attributes = try FileManager.default.attributesOfItem(atPath: full)
            let mode = (attributes[.posixPermissions] as? Int).map { String($0, radix: 8) } ?? "?"
            switch attributes[.type] as? FileAttributeType {
            case .typeSymbolicLink: entries[path] = "link \(try FileManager.default.destinationOfSymbolicLink(atPath: full))"
            case .typeDirectory: entries[path] = "folder \(mode)"
            default: entries[path] = "file \(mode) \(try Data(contentsOf: URL(fileURLWithPath: full)).base64EncodedString())"
            }
        }
        return entries
    }
}
