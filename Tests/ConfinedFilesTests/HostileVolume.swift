import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A volume root and, beside it, the host's files a tenant would like to reach: a secret file and a
/// folder. ``hostUnchanged()`` says whether they are exactly as they were made.
struct HostileVolume {
    let base: String
    let root: String
    let secret: String
    let hostFolder: String

    init() throws {
        base = NSTemporaryDirectory() + "berth-hostile-\(UUID().uuidString.prefix(8))"
        root = base + "/volume"
        secret = base + "/host-secret"
        hostFolder = base + "/host-folder"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: hostFolder, withIntermediateDirectories: true)
        try Data("host secret\n".utf8).write(to: URL(fileURLWithPath: secret))
        chmod(secret, 0o600)
        try Data("kept\n".utf8).write(to: URL(fileURLWithPath: hostFolder + "/kept"))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: base)
    }

    /// Plants a link at `name` (relative to the root) pointing to `target`, as a server in its container can.
    func link(_ name: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/" + name, withDestinationPath: target)
    }

    func file(_ name: String, _ text: String) throws {
        let path = root + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Whether the host's secret and folder are as made: same bytes, same mode, nothing added.
    func hostUnchanged() -> Bool {
        var status = stat()
        guard lstat(secret, &status) == 0, status.st_mode & 0o7777 == 0o600, status.st_mode & S_IFMT == S_IFREG else { return false }
        guard (try? String(contentsOfFile: secret, encoding: .utf8)) == "host secret\n" else { return false }
        guard (try? FileManager.default.contentsOfDirectory(atPath: hostFolder)) == ["kept"] else { return false }
        guard (try? FileManager.default.contentsOfDirectory(atPath: base).sorted()) == ["host-folder", "host-secret", "volume"] else { return false }
        return (try? String(contentsOfFile: hostFolder + "/kept", encoding: .utf8)) == "kept\n"
    }
}
