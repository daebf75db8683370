import ConfinedFiles
import SFTP

#if canImport(Glibc)
import Glibc
#endif

// How the confined layer's answers are said in SFTP's terms.

extension SFTPAttributes {
    init(_ status: FileStatus) {
        self.init(
            size: UInt64(max(0, status.size)),
            ids: (status.uid, status.gid),
            permissions: status.mode,
            times: (UInt32(clamping: status.accessed), UInt32(clamping: status.modified))
        )
    }

    /// A listed entry, which says less than `stat`: its owner is the volume's, both times its modification.
    init(_ entry: FileEntry, owner: (uid: UInt32, gid: UInt32)?) {
        let type: UInt32 =
            switch entry.kind {
            case .file: UInt32(S_IFREG)
            case .folder: UInt32(S_IFDIR)
            case .link: UInt32(S_IFLNK)
            case .other: 0
            }
        let modified = UInt32(clamping: Int(entry.modified.timeIntervalSince1970))
        self.init(
            size: UInt64(max(0, entry.size)),
            ids: owner.map { ($0.uid, $0.gid) },
            permissions: type | entry.mode,
            times: (modified, modified)
        )
    }
}

extension SFTPFileSystemStats {
    init(_ status: FileSystemStatus) {
        self.init(
            blockSize: status.blockSize,
            fragmentSize: status.fragmentSize,
            blocks: status.blocks,
            freeBlocks: status.freeBlocks,
            availableBlocks: status.availableBlocks,
            files: status.files,
            freeFiles: status.freeFiles,
            availableFiles: status.availableFiles,
            fileSystemID: status.fileSystemID,
            flags: status.flags,
            maximumNameLength: status.maximumNameLength
        )
    }
}

extension SFTPError {
    /// SFTP v3 has no status for a full disk: "failure" with the reason, which clients show.
    init(_ error: ConfinedFileError) {
        switch error {
        case .notFound: self.init(.noSuchFile, error.description)
        case .outside: self.init(.permissionDenied, error.description)
        case .system(_, let code) where code == EACCES || code == EPERM: self.init(.permissionDenied, error.description)
        case _ where error.isOutOfSpace:
            self.init(.failure, "no space left: the instance's disk is full (\(error.description))")
        default: self.init(.failure, error.description)
        }
    }
}

extension FileAccess {
    init(_ flags: SFTPOpenFlags) {
        self = []
        if flags.contains(.read) { insert(.read) }
        if flags.contains(.write) { insert(.write) }
        if flags.contains(.append) { insert(.append) }
        if flags.contains(.create) { insert(.create) }
        if flags.contains(.truncate) { insert(.truncate) }
        if flags.contains(.exclusive) { insert(.exclusive) }
    }
}
