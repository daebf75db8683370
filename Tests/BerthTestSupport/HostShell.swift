import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs host commands for tests that build network namespaces (as root): `ip`, `busybox`.
public enum HostShell {
    /// Runs `command` through `/bin/sh -c` and returns what it printed; throws when it exits non-zero.
    @discardableResult
    public static func run(_ command: String) throws -> String {
        let outcome = try ChildProcess.runHere("/bin/sh", ["-c", command])
        guard outcome.succeeded else { throw TestFailure("`\(command)` exited with \(outcome.status): \(outcome.output)") }
        return outcome.output
    }

    /// Unmounts every file system mounted under `directory` (instances' disk images), lazily, so a test's
    /// data directory can be removed and its loop devices go back to the kernel.
    public static func unmountAll(under directory: String) {
        let prefix = (directory as NSString).standardizingPath + "/"
        for mountPoint in mountPoints().reversed() where mountPoint.hasPrefix(prefix) {
            // The system call, not umount(8): under a full test run's load a spawned process now and then
            // never reported back, and its mount stayed.
            _ = umount2(mountPoint, Int32(MNT_DETACH))
        }
    }

    /// Where file systems are mounted, as this process sees it. Read to its end: `/proc` files say they
    /// are empty, and a read that trusts the size stops at the first page, which a test run's dozens of
    /// container mounts go well past. (Mount points with spaces are written octal-escaped; a test's have none.)
    public static func mountPoints() -> [String] {
        guard let table = FileHandle(forReadingAtPath: "/proc/self/mounts")?.readDataToEndOfFile() else { return [] }
        return String(decoding: table, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ") }.filter { $0.count > 1 }
            .map { String($0[1]) }
    }

    /// Starts `command` in the background and returns at once; it is stopped with whatever it runs in.
    public static func start(_ command: String) throws {
        _ = try ChildProcess("/bin/sh", ["-c", command], output: .discarded)
    }
}
