import CConfinedFiles
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ConfinedDirectory {
    /// The target of the link at `path`, as stored (it may lead anywhere; reading it follows nothing).
    public func linkTarget(at path: String) throws -> String {
        let (folder, name) = try openParent(of: try ConfinedPath(path), shown: path)
        defer { close(folder) }
        let bytes = try Self.linkTarget(of: name, in: folder, action: "read the link", shown: path).dropLast()
        return String(decoding: bytes.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Makes a link at `path` to `target`. Only a relative target that stays inside the directory, read
    /// from the link's folder, is allowed: a link out (absolute, or climbing past the root) would only
    /// ever be refused when followed, so it is refused when made.
    public func makeLink(at path: String, pointingTo target: String) throws {
        let link = try ConfinedPath(path)
        guard !target.isEmpty, !target.utf8.contains(0) else { throw ConfinedFileError.invalidPath(target, "a link needs a target") }
        guard !target.hasPrefix("/") else {
            throw ConfinedFileError.refused(path, "a link's target must be relative to its folder; \(target) is absolute")
        }
        var depth = link.components.count - 1
        for component in target.split(separator: "/") where component != "." {
            depth += component == ".." ? -1 : 1
            guard depth >= 0 else { throw ConfinedFileError.refused(path, "the link's target \(target) leads out of the folder") }
        }
        let (folder, name) = try openParent(of: link, shown: path)
        defer { close(folder) }
        guard symlinkat(target, folder, name) == 0 else { throw ConfinedFileError.from(errno, "make the link", path) }
        giveToOwner(name, in: folder)
    }
}
