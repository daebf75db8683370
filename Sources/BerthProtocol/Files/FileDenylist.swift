import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An image's `file_denylist`: files its instances' users may not touch through the file manager or
/// SFTP, as Pterodactyl eggs write them (`server.jar`, `*.exe`, `config/secret/*`). A pattern matches a
/// path, its name alone, or any folder above it, so denying a folder denies what is inside. The panel
/// checks it for the file manager; SFTP grants carry it to the node, which checks it there.
public struct FileDenylist: Sendable {
    public let patterns: [String]

    public init(patterns: [String]) {
        self.patterns = patterns
    }

    public func denies(_ path: String) -> Bool {
        let components = path.split(separator: "/").filter { $0 != "." }.map(String.init)
        guard !patterns.isEmpty, !components.isEmpty else { return false }
        for end in 1...components.count {
            let prefix = components[0..<end].joined(separator: "/")
            let name = components[end - 1]
            for pattern in patterns {
                let trimmed = pattern.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                if fnmatch(trimmed, prefix, 0) == 0 || fnmatch(trimmed, name, 0) == 0 { return true }
            }
        }
        return false
    }
}
