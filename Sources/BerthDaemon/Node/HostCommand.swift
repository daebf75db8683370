import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs one of the host's programs (the firewall's, the disk tools) on a thread of its own and waits for
/// it. It reads nothing (its standard input is `/dev/null`); what it prints is returned.
///
/// Not Foundation's `Process`: with many started at once from the concurrency pool (several daemons in
/// one test process), some of its termination handlers never ran and the firewall setup hung. Here each
/// program is spawned, fed, read and reaped (`posix_spawnp`, `waitpid`) by one dedicated thread.
enum HostCommand {
    struct Failure: Error, CustomStringConvertible {
        let command: String
        let status: Int32
        let output: String
        var description: String { "\(command) failed (status \(status)): \(output.trimmingCharacters(in: .whitespacesAndNewlines))" }
    }

    /// Runs `executable` (looked up on `PATH`) with `arguments`; returns what it printed, or throws
    /// ``Failure`` when it exits with a status other than 0.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(executable, arguments) })
            }
        }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String]) throws -> String {
        let command = ([executable] + arguments).joined(separator: " ")
        func failure(_ what: String) -> Failure { Failure(command: command, status: -1, output: "\(what): \(String(cString: strerror(errno)))") }
        // Close-on-exec from the first instant (a socket pair: Swift sees no pipe2): made with pipe and marked
        // after, both ends could slip into a program another thread spawned in between, and this read would
        // then wait for that program to end too.
        var outputPipe: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &outputPipe) == 0 else {
            throw failure("socketpair")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
        close(outputPipe[1])
        guard spawned == 0 else {
            close(outputPipe[0])
            errno = spawned
            throw failure("cannot start \(executable)")
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(outputPipe[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            output += buffer[..<count]
        }
        close(outputPipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let printed = String(decoding: output, as: UTF8.self)
        // WIFEXITED and WEXITSTATUS, which Swift does not import.
        let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard exitStatus == 0 else { throw Failure(command: command, status: exitStatus, output: printed) }
        return printed
    }
}
