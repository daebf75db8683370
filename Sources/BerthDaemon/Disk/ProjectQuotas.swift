import CProjectQuota
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The node's volumes on one file system that keeps project quotas (XFS, mounted `prjquota`): each
/// instance's folder is a project of its own, numbered by the instance's user id, and the kernel holds
/// every write to it, whoever makes it, within the project's limit (ENOSPC past it). A limit changes at
/// once, while the instance runs; what a project holds is read in one call, never by walking its files.
///
/// The folder's project id and its inheritance flag are what keep new files in the project, so the
/// instances' containers may not change them (``InstanceSeccompProfile``).
struct ProjectQuotas: Sendable {
    /// The volumes folder: the file system's root, or any folder on it.
    let volumesDirectory: String

    /// Whether the file system under `path` counts and enforces project quotas, or why not.
    static func state(at path: String) -> Result<Void, DiskFailure> {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(.failed("\(path) cannot be opened: \(lastError)")) }
        defer { close(descriptor) }
        var accounting: Int32 = 0
        var enforcing: Int32 = 0
        guard berth_project_quota_state(descriptor, &accounting, &enforcing) == 0 else {
            return .failure(.failed("the file system of \(path) keeps no project quotas (\(lastError))"))
        }
        guard accounting != 0, enforcing != 0 else {
            return .failure(.failed("the file system of \(path) counts project quotas but does not enforce them (mount it with prjquota)"))
        }
        return .success(())
    }

    /// Makes `folder` (a volume) a project numbered `project` with `limitBytes` of room (none when nil).
    func prepare(_ folder: String, project: UInt32, owner: UInt32, limitBytes: Int64?) throws {
        try makeProject(folder, project: project, owner: owner)
        try setLimit(of: project, to: limitBytes)
    }

    /// Makes `folder` project `project`: made when missing, owned by `owner`; files already in it are
    /// counted in the project, which takes a walk of them only the first time. The walk goes by
    /// descriptor and never through a link, so a link the tenant planted hands no file outside the folder
    /// to the project.
    func makeProject(_ folder: String, project: UInt32, owner: UInt32) throws {
        if mkdir(folder, 0o750) == 0 {
            _ = chown(folder, owner, owner)
        } else if errno != EEXIST {
            throw DiskFailure.failed("the instance's volume folder could not be made: \(Self.lastError)")
        }
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw DiskFailure.failed("the instance's volume folder cannot be opened: \(Self.lastError)") }
        defer { close(descriptor) }
        guard Self.project(of: descriptor) != project else { return }
        try assign(project, toTreeAt: descriptor)
    }

    /// Gives the folder open as `descriptor` and everything in it project `project` (by descriptor, never
    /// through a link). Done as root, it counts the files in the project even past its limit.
    func assign(_ project: UInt32, toTreeAt descriptor: Int32) throws {
        guard berth_set_project_of_tree(descriptor, project) == 0 else {
            throw DiskFailure.failed("the files could not be counted in project \(project): \(Self.lastError)")
        }
    }

    /// Counts what is in `folder` in no project: for files moved aside to be deleted, which should not take
    /// an instance's room meanwhile.
    func uncount(_ folder: String) throws {
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw DiskFailure.failed("\(folder) cannot be opened: \(Self.lastError)") }
        defer { close(descriptor) }
        try assign(Self.uncounted, toTreeAt: descriptor)
    }

    /// Project 0, which no limit applies to: for files that belong to no instance any more.
    static let uncounted: UInt32 = 0

    /// The project id of the file or folder at `path` (not followed if a link); nil when it cannot be read.
    static func project(of path: String) -> UInt32? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return project(of: descriptor)
    }

    private static func project(of descriptor: Int32) -> UInt32? {
        var project: UInt32 = 0
        return berth_project_of(descriptor, &project) == 0 ? project : nil
    }

    /// Gives project `project` `limitBytes` of room, or none. A limit below what the project holds is
    /// refused: the instance could then write nothing, not even to delete through its server.
    func changeLimit(of project: UInt32, to limitBytes: Int64?) throws {
        if let limitBytes, let usage = usage(of: project), usage.used > limitBytes {
            throw DiskFailure.filesTooLarge(for: limitBytes)
        }
        try setLimit(of: project, to: limitBytes)
    }

    private func setLimit(of project: UInt32, to limitBytes: Int64?) throws {
        if usage(of: project)?.limit == limitBytes { return }
        try withVolumes { descriptor in
            guard berth_set_project_limit(descriptor, project, UInt64(limitBytes ?? 0), 0) == 0 else {
                throw DiskFailure.failed("the instance's disk limit could not be set: \(Self.lastError)")
            }
        }
    }

    /// What project `project` holds, and its limit (nil for none); nil when it cannot be read.
    func usage(of project: UInt32) -> (used: Int64, limit: Int64?)? {
        try? withVolumes { descriptor in
            var bytes: UInt64 = 0
            var inodes: UInt64 = 0
            var limit: UInt64 = 0
            guard berth_project_usage(descriptor, project, &bytes, &inodes, &limit) == 0 else { return nil }
            return (Int64(bytes), limit == 0 ? nil : Int64(limit))
        }
    }

    private func withVolumes<Result>(_ body: (Int32) throws -> Result) throws -> Result {
        let descriptor = open(volumesDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DiskFailure.failed("the volumes folder cannot be opened: \(Self.lastError)") }
        defer { close(descriptor) }
        return try body(descriptor)
    }

    private static var lastError: String { String(cString: strerror(errno)) }
}
