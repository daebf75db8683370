import BerthProtocol
import ConfinedFiles
import Foundation
import Logging
import NIOCore
import NIOPosix
import SFTP

#if canImport(Glibc)
import Glibc
#endif

/// One SFTP session's view of an instance's volume: every path goes through the confined layer, as the
/// file manager's do (one confinement, two front doors). The volume is asked of the supervisor for each
/// operation, so an instance that is suspended, installing or being deleted refuses at once; blocking
/// calls run on the thread pool, never on the event loop.
struct InstanceFileSystem: SFTPFileSystem {
    let supervisor: InstanceSupervisor
    let instanceID: String
    /// Without files.write: reading and listing only.
    let readOnly: Bool
    /// What the image denies its users: listed and described, never opened, changed or removed.
    let denylist: FileDenylist
    /// Who is connected and from where, for the audit entries of each change.
    let username: String
    let clientAddress: String
    let activity: SFTPActivityLog
    let logger: Logger

    func attributes(at path: String, followingLinks: Bool) async throws -> SFTPAttributes {
        let files = try await volume()
        return try await Self.offloaded { SFTPAttributes(try files.status(at: path, followingLinks: followingLinks)) }
    }

    func setAttributes(_ attributes: SFTPAttributes, at path: String) async throws {
        try requireWriting()
        try checkAllowed(path)
        let files = try await volume()
        try await Self.offloaded {
            let status = try files.status(at: path, followingLinks: false)
            try Self.refuseOwnershipChange(attributes, current: status, path: path)
            if let size = attributes.size { try files.truncate(path, to: Int64(clamping: size)) }
            if let permissions = attributes.permissions { try files.setMode(permissions & 0o7777, of: path) }
            if let times = attributes.times {
                try files.setTimes(of: path, accessed: Int(times.access), modified: Int(times.modification))
            }
        }
        record("sftp.attributes", path)
    }

    func openFile(_ path: String, flags: SFTPOpenFlags, attributes: SFTPAttributes) async throws -> any SFTPFile {
        try checkAllowed(path)
        let access = FileAccess(flags)
        if access.contains(.write) || access.contains(.append) || access.contains(.create) || access.contains(.truncate) {
            try requireWriting()
        }
        let files = try await volume()
        let mode = mode_t((attributes.permissions ?? 0o644) & 0o777)
        let file = try await Self.offloaded { try files.open(path, for: access, mode: mode) }
        if access.contains(.write) || access.contains(.append) { record("sftp.write", path) }
        return InstanceFile(file: file, readOnly: readOnly, directory: files)
    }

    func listDirectory(_ path: String) async throws -> [SFTPDirectoryEntry] {
        let files = try await volume()
        return try await Self.offloaded {
            try files.list(path).map { entry in
                SFTPDirectoryEntry(name: entry.name, attributes: SFTPAttributes(entry, owner: files.owner))
            }
        }
    }

    func removeFile(_ path: String) async throws {
        try checkAllowed(path)
        try await change("sftp.remove", path) { try $0.removeFile(path) }
    }

    func makeDirectory(_ path: String, attributes: SFTPAttributes) async throws {
        try checkAllowed(path)
        try await change("sftp.mkdir", path) { try $0.makeFolder(path, creatingParents: false) }
    }

    func removeDirectory(_ path: String) async throws {
        try checkAllowed(path)
        try await change("sftp.rmdir", path) { try $0.removeEmptyFolder(path) }
    }

    func rename(_ source: String, to destination: String, replacing: Bool) async throws {
        try checkAllowed(source)
        try checkAllowed(destination)
        try await change("sftp.rename", "\(source) → \(destination)") { try $0.rename(source, to: destination, replacing: replacing) }
    }

    func readLink(_ path: String) async throws -> String {
        try checkAllowed(path)
        let files = try await volume()
        return try await Self.offloaded { try files.linkTarget(at: path) }
    }

    func makeSymbolicLink(at path: String, pointingTo target: String) async throws {
        try checkAllowed(path)
        try await change("sftp.symlink", "\(path) → \(target)") { try $0.makeLink(at: path, pointingTo: target) }
    }

    func fileSystemStats(at path: String) async throws -> SFTPFileSystemStats {
        let files = try await volume()
        return try await Self.offloaded { SFTPFileSystemStats(try files.fileSystemStatus()) }
    }

    // MARK: -

    private func volume() async throws -> ConfinedDirectory {
        do {
            return try await supervisor.volumeFiles(of: instanceID)
        } catch let error as InstanceError {
            throw SFTPError(.permissionDenied, error.message)
        }
    }

    private func checkAllowed(_ path: String) throws {
        guard !denylist.denies(path) else {
            throw SFTPError(.permissionDenied, "\(path): the instance's image does not let its users open or change this file")
        }
    }

    private func requireWriting() throws {
        guard !readOnly else {
            throw SFTPError(.permissionDenied, "you may only read this instance's files: that takes files.write, which you do not have")
        }
    }

    /// Makes a change on the thread pool and records it.
    private func change(_ action: String, _ what: String, _ work: @escaping @Sendable (ConfinedDirectory) throws -> Void) async throws {
        try requireWriting()
        let files = try await volume()
        try await Self.offloaded { try work(files) }
        record(action, what)
    }

    /// Queues the change for the panel's audit log.
    private func record(_ action: String, _ target: String) {
        activity.record(SFTPActivity(instanceID: instanceID, username: username, clientAddress: clientAddress, action: action, target: target))
    }

    static func refuseOwnershipChange(_ attributes: SFTPAttributes, current: FileStatus, path: String) throws {
        if let ids = attributes.ids, ids.user != current.uid || ids.group != current.gid {
            throw SFTPError(.permissionDenied, "\(path): files belong to the instance's user; their owner cannot be changed")
        }
    }

    /// Runs blocking file work on the thread pool, with the confined layer's errors said as SFTP says them.
    static func offloaded<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
        do {
            return try await NIOThreadPool.singleton.runIfActive(work)
        } catch let error as ConfinedFileError {
            throw SFTPError(error)
        }
    }
}

/// An open file of an SFTP session.
struct InstanceFile: SFTPFile {
    let file: RandomAccessFile
    let readOnly: Bool
    /// Kept open with the file, so the volume's mount stays while a handle is.
    let directory: ConfinedDirectory

    func read(at offset: UInt64, count: Int) async throws -> ByteBuffer {
        try await InstanceFileSystem.offloaded {
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            _ = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { bytes in
                try file.read(at: Int64(clamping: offset), into: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<count]))
            }
            return buffer
        }
    }

    func write(_ bytes: ByteBuffer, at offset: UInt64) async throws {
        guard !readOnly else { throw SFTPError(.permissionDenied, "you may only read this instance's files") }
        try await InstanceFileSystem.offloaded {
            try bytes.withUnsafeReadableBytes { try file.write($0, at: Int64(clamping: offset)) }
        }
    }

    func attributes() async throws -> SFTPAttributes {
        try await InstanceFileSystem.offloaded { SFTPAttributes(try file.status()) }
    }

    func setAttributes(_ attributes: SFTPAttributes) async throws {
        guard !readOnly else { throw SFTPError(.permissionDenied, "you may only read this instance's files") }
        try await InstanceFileSystem.offloaded {
            if attributes.ids != nil { try InstanceFileSystem.refuseOwnershipChange(attributes, current: try file.status(), path: file.path) }
            if let size = attributes.size { try file.truncate(to: Int64(clamping: size)) }
            if let permissions = attributes.permissions { try file.setMode(permissions & 0o7777) }
            if let times = attributes.times { try file.setTimes(accessed: Int(times.access), modified: Int(times.modification)) }
        }
    }

    func sync() async throws {
        try await InstanceFileSystem.offloaded { try file.sync() }
    }

    func close() async throws {}
}
