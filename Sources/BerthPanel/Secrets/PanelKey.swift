import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The panel's own secret: 256 random bits in `panel.key` in the data directory, readable by the panel's
/// user alone, made at the first start. Each use gets a key of its own derived from it (HKDF-SHA256 with
/// the use's name), so a key leaked from one use says nothing of another. Panel processes that share a
/// database share this file too: it seals the secrets the database keeps and signs visitors' form cookies.
package struct PanelKey: Sendable {
    private let material: SymmetricKey

    package init(material: SymmetricKey) {
        self.material = material
    }

    /// The key in `path`, made first when there is none. Two processes starting at once agree on one:
    /// the file appears whole or not at all (written aside, then linked into place, which fails if it exists).
    package static func loadOrCreate(at path: String) throws -> PanelKey {
        if let existing = try load(from: path) { return existing }
        let aside = path + ".new-\(UUID().uuidString.prefix(8))"
        let encoded = Data(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString().utf8) + Data("\n".utf8)
        guard FileManager.default.createFile(atPath: aside, contents: encoded, attributes: [.posixPermissions: 0o600]) else {
            throw PanelKeyError("cannot write the panel key to \(aside)")
        }
        defer { unlink(aside) }
        if link(aside, path) != 0, errno != EEXIST {
            throw PanelKeyError("cannot put the panel key at \(path): \(String(cString: strerror(errno)))")
        }
        guard let key = try load(from: path) else { throw PanelKeyError("the panel key at \(path) vanished") }
        return key
    }

    private static func load(from path: String) throws -> PanelKey? {
        guard let contents = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: text), bytes.count == 32 else {
            throw PanelKeyError("\(path) does not hold a panel key (256 bits in base64); restore it from a backup")
        }
        return PanelKey(material: SymmetricKey(data: bytes))
    }

    /// The key for one use, named by `purpose`.
    package func derived(for purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: material, info: Data("berth \(purpose)".utf8), outputByteCount: 32)
    }
}

package struct PanelKeyError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
