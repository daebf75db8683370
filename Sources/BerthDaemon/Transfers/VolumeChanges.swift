import ConfinedFiles
import Foundation

/// What changed in a volume since a ``VolumeManifest`` was taken of its copy on the receiving node: the
/// sending node writes it, once the instance is stopped, into a file of records; the receiving node applies
/// it to its copy through the confined file layer. A file travels as the blocks whose digests differ, so a
/// large file with a few changes sends those changes alone.
///
/// Each record is a 4-byte big-endian length, a JSON ``Record``, and the record's bytes: for a file, its
/// changed blocks in the order listed, each ``VolumeManifest/blockSize`` bytes but the file's last.
enum VolumeChanges {
    struct Record: Codable, Equatable {
        enum Operation: String, Codable {
            /// Removes the entry (a folder with what it holds; a link itself).
            case delete
            /// Makes the folder if it is missing, with `mode`.
            case folder
            /// Writes the listed `blocks`, then sets the file's `size` and `mode`.
            case file
            /// Makes a link to `target`.
            case link
        }

        var operation: Operation
        var path: String
        var mode: UInt32?
        var size: Int64?
        var blocks: [Int]?
        var target: String?
    }

    struct Summary: Equatable {
        var records = 0
        /// The bytes of file blocks the changes carry.
        var blockBytes: Int64 = 0
    }

    // MARK: - Writing (the sending node)

    /// Writes into `writer` what makes the copy `manifest` describes equal to `files`.
    static func write(from files: ConfinedDirectory, against manifest: VolumeManifest, to writer: FileWriter) throws -> Summary {
        var summary = Summary()
        var present: [String: FileEntry.Kind] = [:]
        var records: [(Record, [Int])] = []
        try VolumeManifest.walk(files, "/") { path, entry in
            present[path] = entry.kind
            switch entry.kind {
            case .folder:
                if manifest.folders[path] != entry.mode { records.append((Record(operation: .folder, path: path, mode: entry.mode), [])) }
            case .link:
                if let target = entry.linkTarget, manifest.links[path] != target {
                    records.append((Record(operation: .link, path: path, target: target), []))
                }
            case .file:
                let old = manifest.files[path]
                let digests = try VolumeManifest.blockDigests(of: path, in: files)
                let changed = digests.indices.filter { index in
                    guard let old, index < old.blocks.count else { return true }
                    return old.blocks[index] != digests[index]
                }
                if !changed.isEmpty || old?.size != entry.size || old?.mode != entry.mode {
                    records.append((Record(operation: .file, path: path, mode: entry.mode, size: entry.size, blocks: changed), changed))
                }
            case .other:
                break
            }
        }
        // What the copy has and the volume no longer has (or has as another kind), deepest first.
        let kinds: [(String, FileEntry.Kind)] =
            manifest.files.keys.map { ($0, .file) } + manifest.folders.keys.map { ($0, .folder) } + manifest.links.keys.map { ($0, .link) }
        for (path, kind) in kinds.sorted(by: { $0.0.count > $1.0.count }) where present[path] != kind {
            try append(Record(operation: .delete, path: path), to: writer)
            summary.records += 1
        }
        for (record, blocks) in records {
            try append(record, to: writer)
            summary.records += 1
            guard !blocks.isEmpty else { continue }
            let file = try files.openFile(record.path)
            for block in blocks {
                let bytes = try file.read(at: Int64(block) * Int64(VolumeManifest.blockSize), upTo: VolumeManifest.blockSize)
                try bytes.withUnsafeBytes { try writer.append($0) }
                summary.blockBytes += Int64(bytes.count)
            }
        }
        return summary
    }

    private static func append(_ record: Record, to writer: FileWriter) throws {
        let header = try JSONEncoder().encode(record)
        var length = UInt32(header.count).bigEndian
        try withUnsafeBytes(of: &length) { try writer.append($0) }
        try header.withUnsafeBytes { try writer.append($0) }
    }

    // MARK: - Applying (the receiving node)

    /// Applies the changes in `changes` to `files`, refusing records that do not add up (a block past the
    /// file's size, bytes missing) and more block bytes than `room`.
    static func apply(_ changes: OpenFile, to files: ConfinedDirectory, room: Int64) throws -> Summary {
        var summary = Summary()
        var offset: Int64 = 0
        while offset < changes.size {
            let length = try changes.read(at: offset, upTo: 4)
            guard length.count == 4 else { throw ChangesError.malformed("a record's length is cut off") }
            let headerLength = Int(length.reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard headerLength <= 1 << 20 else { throw ChangesError.malformed("a record's header is \(headerLength) bytes") }
            let header = try changes.read(at: offset + 4, upTo: headerLength)
            guard header.count == headerLength else { throw ChangesError.malformed("a record's header is cut off") }
            let record = try JSONDecoder().decode(Record.self, from: Data(header))
            offset += 4 + Int64(headerLength)
            offset += try apply(record, payloadAt: offset, in: changes, to: files, room: room - summary.blockBytes, summary: &summary)
            summary.records += 1
        }
        return summary
    }

    /// Applies one record; returns the bytes of its payload.
    private static func apply(
        _ record: Record,
        payloadAt offset: Int64,
        in changes: OpenFile,
        to files: ConfinedDirectory,
        room: Int64,
        summary: inout Summary
    ) throws -> Int64 {
        let path = try ConfinedPath(record.path).description
        let present = try? files.entry(at: path)
        switch record.operation {
        case .delete:
            if present != nil { try files.delete(path) }
            return 0
        case .folder:
            if let present, present.kind != .folder { try files.delete(path) }
            if present?.kind != .folder { try files.makeFolder(path) }
            try files.setMode((record.mode ?? 0o755) & 0o777, of: path)
            return 0
        case .link:
            guard let target = record.target else { throw ChangesError.malformed("the link \(path) has no target") }
            if present != nil { try files.delete(path) }
            // A link the confined layer will not make (absolute, or leading out) is left out, as an archive's is.
            try? files.makeLink(at: path, pointingTo: target)
            return 0
        case .file:
            guard let size = record.size, size >= 0 else { throw ChangesError.malformed("the file \(path) has no size") }
            let blocks = record.blocks ?? []
            let lengths = try blocks.map { block in
                let start = Int64(block) * Int64(VolumeManifest.blockSize)
                guard block >= 0, start < size else { throw ChangesError.malformed("block \(block) of \(path) lies past its \(size) bytes") }
                return min(Int64(VolumeManifest.blockSize), size - start)
            }
            let payload = lengths.reduce(0, +)
            guard payload <= room else { throw ChangesError.tooLarge(path) }
            guard offset + payload <= changes.size else { throw ChangesError.malformed("the blocks of \(path) are cut off") }
            if let present, present.kind != .file { try files.delete(path) }
            let file = try files.open(path, for: [.write, .create], mode: 0o600)
            var read = offset
            for (block, length) in zip(blocks, lengths) {
                let bytes = try changes.read(at: read, upTo: Int(length))
                guard bytes.count == Int(length) else { throw ChangesError.malformed("the blocks of \(path) are cut off") }
                try bytes.withUnsafeBytes { try file.write($0, at: Int64(block) * Int64(VolumeManifest.blockSize)) }
                read += length
            }
            try files.truncate(path, to: size)
            try files.setMode((record.mode ?? 0o644) & 0o777, of: path)
            summary.blockBytes += payload
            return payload
        }
    }

    enum ChangesError: Error, CustomStringConvertible {
        case malformed(String)
        case tooLarge(String)

        var description: String {
            switch self {
            case .malformed(let what): "the changes are malformed: \(what)"
            case .tooLarge(let path): "the changes to \(path) are larger than the instance has room for"
            }
        }
    }
}
