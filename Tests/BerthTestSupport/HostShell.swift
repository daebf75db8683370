import Foundation

/// Runs host commands for tests that build network namespaces (as root): `ip`, `busybox`.
public enum HostShell {
    /// Runs `command` through `/bin/sh -c` and returns what it printed; throws when it exits non-zero.
    @discardableResult
    public static func run(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("`\(command)` exited with \(process.terminationStatus): \(printed)")
        }
        return printed
    }

    /// Starts `command` in the background and returns at once; it is stopped with whatever it runs in.
    public static func start(_ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }
}
