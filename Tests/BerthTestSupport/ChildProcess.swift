import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A program a test runs: spawned with `posix_spawn`, reaped with `waitpid` by a thread of its own, its
/// output written to files rather than pipes (so nothing has to read while it runs, and no descriptor of
/// ours can leak into another test's child).
///
/// Not Foundation's `Process`: under a full test run's load some of its termination handlers never ran,
/// so `waitUntilExit` and `isRunning` waited for ever and a CI run hung until its time was up. The daemon's
/// `HostCommand` avoids it for the same reason.
public final class ChildProcess: Sendable {
    /// What the program reads.
    public enum Input: Sendable {
        /// `/dev/null`.
        case nothing
        /// These bytes, then the end.
        case bytes(Data)
        /// What the test writes with ``write(_:)``, until ``closeInput()``.
        case pipe
    }

    /// Where one of the program's output streams goes.
    public enum Destination: Sendable {
        case discarded
        /// Kept for ``finish()`` and ``outputSoFar``.
        case captured
        /// Appended to this file.
        case file(String)
    }

    public struct Outcome: Sendable {
        public let status: Int32
        /// Its standard output, and its standard error unless that went elsewhere.
        public let output: String
        /// Its standard error, when captured apart.
        public let errors: String
        public var succeeded: Bool { status == 0 }
        public var lastLine: String { output.split(separator: "\n").last.map(String.init) ?? "" }
    }

    public let pid: pid_t
    private let outputFile: String?
    private let errorFile: String?
    /// The test's end of a ``Input/pipe`` input, until closed.
    private let input: Mutex<Int32?>
    private let exit = Mutex<Exit>(Exit())

    private struct Exit {
        var status: Int32?
        var waiting: [CheckedContinuation<Int32, Never>] = []
    }

    /// Starts `executable` (a path) with `arguments`, the test process's environment with `environment` on top,
    /// in `directory` if given. Standard error goes with the output unless `errors` says otherwise.
    public init(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        directory: String? = nil,
        input: Input = .nothing,
        output: Destination = .captured,
        errors: Destination? = nil
    ) throws {
        let spawned = try Self.spawn(executable, arguments, environment, directory, input, output, errors)
        pid = spawned.pid
        outputFile = spawned.outputFile
        errorFile = spawned.errorFile
        self.input = Mutex(spawned.input)
        // The reaper holds the process object until the program ends, so its captured output outlives it.
        Thread.detachNewThread { [self] in ended(with: Self.reap(pid)) }
    }

    private func ended(with status: Int32) {
        let waiting = exit.withLock { exit in
            exit.status = status
            defer { exit.waiting = [] }
            return exit.waiting
        }
        for continuation in waiting { continuation.resume(returning: status) }
    }

    deinit {
        input.withLock { input in if let end = input { close(end) } }
        for file in [outputFile, errorFile].compactMap({ $0 }) { try? FileManager.default.removeItem(atPath: file) }
    }

    /// Runs a program to its end and says how it went.
    public static func run(
        _ executable: String,
        _ arguments: [String] = [],
        environment: [String: String] = [:],
        directory: String? = nil,
        input: Input = .nothing,
        errors: Destination? = nil
    ) async throws -> Outcome {
        try await ChildProcess(executable, arguments, environment: environment, directory: directory, input: input, errors: errors).finish()
    }

    /// Runs a program to its end on the calling thread, for the few callers that cannot wait asynchronously
    /// (clean-ups in `defer`); the program must not need this process to finish.
    public static func runHere(_ executable: String, _ arguments: [String]) throws -> Outcome {
        let spawned = try spawn(executable, arguments, [:], nil, .nothing, .captured, nil)
        let status = reap(spawned.pid)
        defer { if let file = spawned.outputFile { try? FileManager.default.removeItem(atPath: file) } }
        return Outcome(status: status, output: read(spawned.outputFile), errors: "")
    }

    public var isRunning: Bool { exit.withLock { $0.status == nil } }

    /// Sends `signal` unless the program has ended.
    public func terminate(_ signal: Int32 = SIGTERM) {
        // The reaper records the exit as soon as it has reaped it, so until then the pid is this program's
        // (short of the kernel reusing it in that instant).
        exit.withLock { exit in if exit.status == nil { _ = kill(pid, signal) } }
    }

    /// Waits for the program to end.
    public func finish() async -> Outcome {
        let status = await withCheckedContinuation { continuation in
            let known = exit.withLock { exit in
                if exit.status == nil { exit.waiting.append(continuation) }
                return exit.status
            }
            if let known { continuation.resume(returning: known) }
        }
        return Outcome(status: status, output: read(outputFile), errors: read(errorFile))
    }

    /// What it has written to a captured output so far.
    public var outputSoFar: String { Self.read(outputFile) }

    /// Writes to the program's input (``Input/pipe``).
    public func write(_ text: String) throws {
        try input.withLock { input in
            guard let end = input else { throw TestFailure("the input of \(pid) is closed") }
            var remaining = Array(text.utf8)[...]
            while !remaining.isEmpty {
                let written = remaining.withUnsafeBytes { send(end, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw TestFailure("writing to \(pid): \(String(cString: strerror(errno)))") }
                remaining = remaining.dropFirst(written)
            }
        }
    }

    /// Ends the program's input.
    public func closeInput() {
        input.withLock { input in
            if let end = input { close(end) }
            input = nil
        }
    }

    private func read(_ file: String?) -> String { Self.read(file) }

    private static func read(_ file: String?) -> String {
        guard let file, let data = FileManager.default.contents(atPath: file) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    private struct Spawned {
        let pid: pid_t
        let outputFile: String?
        let errorFile: String?
        let input: Int32?
    }

    private static func spawn(
        _ executable: String,
        _ arguments: [String],
        _ environment: [String: String],
        _ directory: String?,
        _ input: Input,
        _ output: Destination,
        _ errors: Destination?
    ) throws -> Spawned {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var captures: [String] = []
        func temporaryFile(_ contents: Data = Data()) throws -> String {
            let path = NSTemporaryDirectory() + "berth-child-\(UUID().uuidString.prefix(8))"
            guard FileManager.default.createFile(atPath: path, contents: contents) else { throw TestFailure("cannot create \(path)") }
            return path
        }
        func send(_ destination: Destination, to descriptor: Int32) throws -> String? {
            switch destination {
            case .discarded:
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
                return nil
            case .captured:
                let path = try temporaryFile()
                captures.append(path)
                posix_spawn_file_actions_addopen(&actions, descriptor, path, O_WRONLY | O_APPEND, 0)
                return path
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, descriptor, path, O_WRONLY | O_APPEND | O_CREAT, 0o600)
                return nil
            }
        }

        // The child's end of a pipe input, ours, and a file of input bytes: closed or removed once it has started.
        var theirs: Int32?
        var ours: Int32?
        var inputFile: String?
        defer {
            if let theirs { close(theirs) }
            if let inputFile { try? FileManager.default.removeItem(atPath: inputFile) }
        }
        do {
            switch input {
            case .nothing: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            case .bytes(let data):
                inputFile = try temporaryFile(data)
                posix_spawn_file_actions_addopen(&actions, 0, inputFile ?? "", O_RDONLY, 0)
            case .pipe:
                // A socket pair, made close-on-exec at once (Swift sees no pipe2), so no other child inherits our end.
                var ends: [Int32] = [0, 0]
                guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
                    throw TestFailure("socketpair: \(String(cString: strerror(errno)))")
                }
                (ours, theirs) = (ends[0], ends[1])
                posix_spawn_file_actions_adddup2(&actions, ends[1], 0)
            }
            let outputFile = try send(output, to: 1)
            var errorFile: String?
            if let errors { errorFile = try send(errors, to: 2) } else { posix_spawn_file_actions_adddup2(&actions, 1, 2) }

            var program = executable
            var argv = [executable] + arguments
            if let directory {
                // posix_spawn_file_actions_addchdir_np is not visible to Swift either.
                program = "/bin/sh"
                argv = ["/bin/sh", "-c", #"cd "$0" && exec "$@""#, directory] + argv
            }
            let variables = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }.map { "\($0.key)=\($0.value)" }
            let cArguments = argv.map { strdup($0) } + [nil]
            let cVariables = variables.map { strdup($0) } + [nil]
            defer { for pointer in cArguments + cVariables { free(pointer) } }
            var pid: pid_t = 0
            // glibc's posix_spawn returns once the program is executing, its files opened.
            let failed = posix_spawn(&pid, program, &actions, nil, cArguments, cVariables)
            guard failed == 0 else { throw TestFailure("cannot start \(executable): \(String(cString: strerror(failed)))") }
            return Spawned(pid: pid, outputFile: outputFile, errorFile: errorFile, input: ours)
        } catch {
            if let ours { close(ours) }
            for path in captures { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
    }

    /// Waits for `pid` to end; its exit status, or 128 + the signal that ended it.
    private static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED and WEXITSTATUS, which Swift does not import.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}
