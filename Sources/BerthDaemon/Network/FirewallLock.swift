import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A lock file that daemons on one machine take around changes to the host firewall that are not one
/// atomic step (look, then insert), so two never interleave.
enum FirewallLock {
    static let path = "/run/lock/berth-firewall.lock"

    static func holding<Result>(_ body: () async throws -> Result) async throws -> Result {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw InstanceError.failed("the firewall lock \(path) could not be opened: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        // Never a blocking flock: it would hold one of the few threads of the concurrency pool, and with
        // two daemons waiting (two cores) the holder could not resume to let go. It is held for a few
        // iptables calls at most.
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                throw InstanceError.failed("the firewall lock \(path) could not be taken: \(String(cString: strerror(errno)))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        defer { flock(descriptor, LOCK_UN) }
        return try await body()
    }
}
