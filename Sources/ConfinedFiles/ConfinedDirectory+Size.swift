import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ConfinedDirectory {
    /// What everything in the folder takes on disk (allocated blocks, folders included), counted by
    /// walking it: links are counted and never followed, and what cannot be read is left out.
    public func allocatedBytes() -> Int64 {
        Self.allocatedBytes(in: root)
    }

    private static func allocatedBytes(in folder: Int32) -> Int64 {
        guard let names = try? names(in: folder) else { return 0 }
        var total: Int64 = 0
        for name in names {
            var status = stat()
            guard fstatat(folder, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            total += Int64(status.st_blocks) * 512
            guard status.st_mode & S_IFMT == S_IFDIR else { continue }
            // O_NOFOLLOW: a folder swapped for a link since the stat is not walked into.
            let inner = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard inner >= 0 else { continue }
            total += allocatedBytes(in: inner)
            close(inner)
        }
        return total
    }
}
