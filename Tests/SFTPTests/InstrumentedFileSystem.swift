import NIOCore
import SFTP
import Synchronization

/// A real ``TemporaryDirectoryFileSystem`` that also counts the files opened and closed, and can be told
/// to refuse writes, so tests see what the server did with its files and how a refusal travels.
struct InstrumentedFileSystem: SFTPFileSystem {
    let base: TemporaryDirectoryFileSystem
    let ledger = FileLedger()
    /// What every write throws, if anything.
    var writeRefusal: (any Error & Sendable)?

    func attributes(at path: String, followingLinks: Bool) async throws -> SFTPAttributes {
        try await base.attributes(at: path, followingLinks: followingLinks)
    }
    func setAttributes(_ attributes: SFTPAttributes, at path: String) async throws { try await base.setAttributes(attributes, at: path) }
    func openFile(_ path: String, flags: SFTPOpenFlags, attributes: SFTPAttributes) async throws -> any SFTPFile {
        let file = try await base.openFile(path, flags: flags, attributes: attributes)
        ledger.opened()
        return CountedFile(file: file, ledger: ledger, writeRefusal: writeRefusal)
    }
    func listDirectory(_ path: String) async throws -> [SFTPDirectoryEntry] { try await base.listDirectory(path) }
    func removeFile(_ path: String) async throws { try await base.removeFile(path) }
    func makeDirectory(_ path: String, attributes: SFTPAttributes) async throws { try await base.makeDirectory(path, attributes: attributes) }
    func removeDirectory(_ path: String) async throws { try await base.removeDirectory(path) }
    func rename(_ source: String, to destination: String, replacing: Bool) async throws {
        try await base.rename(source, to: destination, replacing: replacing)
    }
    func readLink(_ path: String) async throws -> String { try await base.readLink(path) }
    func makeSymbolicLink(at path: String, pointingTo target: String) async throws { try await base.makeSymbolicLink(at: path, pointingTo: target) }
    func fileSystemStats(at path: String) async throws -> SFTPFileSystemStats { try await base.fileSystemStats(at: path) }
}

/// How many files were opened, and how many times `close` was called.
final class FileLedger: Sendable {
    private let counts = Mutex((opened: 0, closed: 0))

    func opened() { counts.withLock { $0.opened += 1 } }
    func closed() { counts.withLock { $0.closed += 1 } }
    var openedCount: Int { counts.withLock { $0.opened } }
    var closedCount: Int { counts.withLock { $0.closed } }
}

private struct CountedFile: SFTPFile {
    let file: any SFTPFile
    let ledger: FileLedger
    let writeRefusal: (any Error & Sendable)?

    func read(at offset: UInt64, count: Int) async throws -> ByteBuffer { try await file.read(at: offset, count: count) }
    func write(_ bytes: ByteBuffer, at offset: UInt64) async throws {
        if let writeRefusal { throw writeRefusal }
        try await file.write(bytes, at: offset)
    }
    func attributes() async throws -> SFTPAttributes { try await file.attributes() }
    func setAttributes(_ attributes: SFTPAttributes) async throws { try await file.setAttributes(attributes) }
    func sync() async throws { try await file.sync() }
    func close() async throws {
        ledger.closed()
        try await file.close()
    }
}
