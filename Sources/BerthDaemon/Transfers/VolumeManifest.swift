import ConfinedFiles
import Crypto
import Foundation

/// A volume's entries as a live transfer's receiving node has them after the first copy: each regular file
/// with its size and the SHA-256 of each block, each folder, each link and where it points. The sending
/// node compares its files with it once the instance is stopped, and sends only what differs
/// (``VolumeChanges``). Links are recorded, never followed.
struct VolumeManifest: Codable, Sendable, Equatable {
    struct File: Codable, Sendable, Equatable {
        var size: Int64
        var mode: UInt32
        /// The SHA-256 of each ``VolumeManifest/blockSize`` bytes, lowercase hex, in order.
        var blocks: [String]
    }

    /// By path from the volume's root, e.g. `/world/region.mca`.
    var files: [String: File] = [:]
    var folders: [String: UInt32] = [:]
    var links: [String: String] = [:]

    static let blockSize = 1 << 20

    /// Reads every entry of `files`; other kinds of entry (sockets, devices) are left out, as archives leave them.
    static func of(_ files: ConfinedDirectory) throws -> VolumeManifest {
        var manifest = VolumeManifest()
        try walk(files, "/") { path, entry in
            switch entry.kind {
            case .file: manifest.files[path] = File(size: entry.size, mode: entry.mode, blocks: try blockDigests(of: path, in: files))
            case .folder: manifest.folders[path] = entry.mode
            case .link: manifest.links[path] = entry.linkTarget
            case .other: break
            }
        }
        return manifest
    }

    /// Calls `visit` with each entry below `folder`, a folder before what it holds; links are not descended.
    static func walk(_ files: ConfinedDirectory, _ folder: String, _ visit: (String, FileEntry) throws -> Void) throws {
        for entry in try files.list(folder) {
            let path = folder == "/" ? "/\(entry.name)" : "\(folder)/\(entry.name)"
            try visit(path, entry)
            if entry.kind == .folder { try walk(files, path, visit) }
        }
    }

    static func blockDigests(of path: String, in files: ConfinedDirectory) throws -> [String] {
        let file = try files.openFile(path)
        var digests: [String] = []
        var offset: Int64 = 0
        while true {
            let block = try file.read(at: offset, upTo: blockSize)
            if block.isEmpty { break }
            digests.append(digest(block))
            offset += Int64(block.count)
        }
        return digests
    }

    static func digest(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
