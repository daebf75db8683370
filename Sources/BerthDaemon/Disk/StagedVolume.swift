import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A fresh volume for files that are to replace an instance's own whole (a backup restored): a folder
/// beside the volumes, `.<id>.restore-<uuid>`, where what is written counts against no instance's room,
/// not even the instance's own. It is filled while the instance is stopped and then takes the volume's
/// place in one step, so a restore needs room for the backup's files alone, not for them and the files
/// they replace.
///
/// How it takes the volume's place follows how the node keeps disk limits: a plain folder is renamed into
/// place; with project quotas its files join the instance's project first; an instance with a disk image
/// of its own gets a second image of the same limit, mounted on the folder, which replaces the first.
struct StagedVolume: Sendable {
    enum Disk: Sendable {
        case folder
        case project(ProjectQuotas, UInt32)
        case image(staged: DiskImage, own: DiskImage)
    }

    /// Where the new files are written.
    let path: String
    /// The instance's volume, which the new files replace.
    let volume: String
    let disk: Disk
    /// How many bytes the new files may take: the instance's limit, or without one the host's free space.
    let room: Int64

    /// Puts the new files in the volume's place, as the instance's user's. Folders: the volume is renamed
    /// `aside` and the staged folder renamed in its place — should the node stop between the two renames,
    /// ``finishInterruptedSwaps`` knows it from the volume's absence. Images: the staged image is renamed
    /// over the instance's own, which is gone with it once nothing holds a file of it open. What is left at
    /// `aside`, if anything, is for the caller to remove.
    func swapIn(aside: String) async throws {
        switch disk {
        case .folder:
            try swapFolders(aside: aside)
        case .project(let quotas, let project):
            try quotas.makeProject(path, project: project, owner: project)
            try swapFolders(aside: aside)
            // The old files stop taking the instance's room at once (a walk, far quicker than deleting them).
            try? quotas.uncount(aside)
        case .image(let staged, let own):
            try await staged.unmount()
            // Lazily: a download or an SFTP handle still open on the old files reads on from them, and the old
            // image's room is freed once it closes.
            try await own.unmount(lazily: true)
            guard rename(staged.imagePath, own.imagePath) == 0 else {
                let reason = Self.lastError
                try? await own.mount()
                throw DiskFailure.failed("the restored disk could not take the old one's place: \(reason)")
            }
            try await own.mount()
            _ = rmdir(path)
        }
    }

    private func swapFolders(aside: String) throws {
        guard rename(volume, aside) == 0 else {
            throw DiskFailure.failed("the instance's files could not be moved aside: \(Self.lastError)")
        }
        guard rename(path, volume) == 0 else {
            let reason = Self.lastError
            _ = rename(aside, volume)
            throw DiskFailure.failed("the restored files could not take the old ones' place: \(reason)")
        }
    }

    // MARK: - Names

    /// The staging folder of a restore into `id`, among `volumesDirectory`'s entries. Instance ids start with
    /// a letter or digit, so no volume is ever named like this.
    static func path(for id: String, in volumesDirectory: String) -> String {
        (volumesDirectory as NSString).appendingPathComponent(".\(id)\(mark)\(UUID().uuidString.lowercased())")
    }

    /// The instance a staging folder named `name` was made for, if it is one.
    static func instance(stagedAs name: String) -> String? {
        guard name.hasPrefix("."), let range = name.range(of: mark) else { return nil }
        return String(name[name.index(after: name.startIndex)..<range.lowerBound])
    }

    /// The staged disk image mounted on the staging folder at `path`: beside the instances' own images.
    static func imagePath(for path: String, in imagesDirectory: String) -> String {
        (imagesDirectory as NSString).appendingPathComponent((path as NSString).lastPathComponent + ".ext4")
    }

    private static let mark = ".restore-"

    private static var lastError: String { String(cString: strerror(errno)) }
}
