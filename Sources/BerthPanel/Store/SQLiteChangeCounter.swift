import Atomics
import Foundation

/// SQLite's count of the commits to a database in WAL mode, read with no system call: the `iChange` field of
/// the wal-index header, at the start of the `-shm` file every connection to the database maps
/// (https://sqlite.org/walformat.html, "The WAL-Index Header"). Every commit, from any connection of any
/// process, adds one to it before the commit returns; a rollback or a checkpoint does not. So while it reads
/// the same as when something was last read from the database, nothing in the database has changed since.
///
/// The header is kept twice, and a committing writer writes the second copy first: a reading whose two copies
/// differ caught a commit halfway and says nothing (`nil`).
///
/// The `-shm` file is SQLite's, shared with its connections in this process: the descriptor that maps it here
/// is closed only when the last holder lets go (the database does after its connections closed), because
/// closing any descriptor of a file drops all of the process's POSIX locks on it, SQLite's included; and a
/// request still reading the header holds it, so it is never unmapped under a reading.
final class SQLiteChangeCounter: @unchecked Sendable {
    // Unchecked: the mapping is read only, through atomic loads, and `descriptor` and `file` never change.
    private let header: UnsafeMutableRawPointer
    private let descriptor: Int32
    private let file: (device: UInt64, inode: UInt64)
    private let path: String

    /// The header's size and the two fields read, as the file format documents them.
    private static let headerSize = 48
    private static let version: UInt32 = 3_007_000
    private static let changeOffset = 8
    private static let isInitOffset = 12

    /// The counter of the database at `databasePath`, or nil when it has no wal-index to read (not in WAL
    /// mode, or no connection has opened it yet).
    init?(databasePath: String) {
        path = databasePath + "-shm"
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size >= 2 * Self.headerSize,
            let mapping = mmap(nil, 2 * Self.headerSize, PROT_READ, MAP_SHARED, descriptor, 0),
            mapping != UnsafeMutableRawPointer(bitPattern: -1)
        else {
            // The descriptor stays open: see the type's comment. One, for the life of a panel that failed here.
            return nil
        }
        // Checked before the object is whole, so a failure here leaves no deinitializer to close the descriptor.
        guard mapping.load(fromByteOffset: Self.isInitOffset, as: UInt8.self) == 1, Self.load(at: 0, in: mapping) == Self.version else {
            munmap(mapping, 2 * Self.headerSize)
            return nil
        }
        header = mapping
        self.descriptor = descriptor
        file = (UInt64(status.st_dev), UInt64(status.st_ino))
    }

    /// The number of commits so far (modulo 2³²), or nil while a commit is writing the header.
    var current: UInt32? {
        let first = Self.load(at: Self.changeOffset, in: header)
        let second = Self.load(at: Self.headerSize + Self.changeOffset, in: header)
        return first == second ? first : nil
    }

    /// Whether the `-shm` file at the database's path is still the one mapped. SQLite removes it when the
    /// last connection to the database closes and makes a new one with the next; a panel keeps its
    /// connections open, so this is a guard, checked now and then, not a path taken.
    var isStillTheFile: Bool {
        var status = stat()
        return stat(path, &status) == 0 && UInt64(status.st_dev) == file.device && UInt64(status.st_ino) == file.inode
    }

    deinit {
        munmap(header, 2 * Self.headerSize)
        close(descriptor)
    }

    private static func load(at offset: Int, in header: UnsafeMutableRawPointer) -> UInt32 {
        UnsafeAtomic<UInt32>(at: (header + offset).assumingMemoryBound(to: UInt32.AtomicRepresentation.self)).load(ordering: .acquiring)
    }
}
