#if canImport(Glibc)
import Glibc
#endif

/// What `stat` says of an entry, as a protocol that mirrors it (SFTP) needs it: ids and both times
/// included, which ``FileEntry`` leaves out.
public struct FileStatus: Sendable, Equatable {
    public let kind: FileEntry.Kind
    /// The whole mode, file type bits included (`S_IFREG | 0o644`).
    public let mode: UInt32
    public let size: Int64
    public let uid: UInt32
    public let gid: UInt32
    /// Seconds since 1970.
    public let accessed: Int
    public let modified: Int

    init(_ status: stat) {
        kind = FileEntry.kind(of: status.st_mode)
        mode = UInt32(status.st_mode)
        size = Int64(status.st_size)
        uid = status.st_uid
        gid = status.st_gid
        accessed = status.st_atim.tv_sec
        modified = status.st_mtim.tv_sec
    }
}

/// What `statvfs` says of the file system a directory is on: what a client shows as its free space.
public struct FileSystemStatus: Sendable, Equatable {
    public let blockSize: UInt64
    public let fragmentSize: UInt64
    public let blocks: UInt64
    public let freeBlocks: UInt64
    public let availableBlocks: UInt64
    public let files: UInt64
    public let freeFiles: UInt64
    public let availableFiles: UInt64
    public let fileSystemID: UInt64
    public let flags: UInt64
    public let maximumNameLength: UInt64

    init(_ status: statvfs) {
        blockSize = UInt64(status.f_bsize)
        fragmentSize = UInt64(status.f_frsize)
        blocks = UInt64(status.f_blocks)
        freeBlocks = UInt64(status.f_bfree)
        availableBlocks = UInt64(status.f_bavail)
        files = UInt64(status.f_files)
        freeFiles = UInt64(status.f_ffree)
        availableFiles = UInt64(status.f_favail)
        fileSystemID = UInt64(status.f_fsid)
        flags = UInt64(status.f_flag)
        maximumNameLength = UInt64(status.f_namemax)
    }
}
