/// A path inside a confined directory, checked once as text before the kernel resolves it: its
/// components, with empty ones and `.` dropped. `..` is refused rather than resolved, so no caller
/// relies on climbing; the kernel still confines whatever links the path passes through.
public struct ConfinedPath: Sendable, Hashable, CustomStringConvertible {
    public let components: [String]

    /// The longest path Linux opens, and the longest name one component may have.
    static let maximumLength = 4095
    static let maximumNameLength = 255

    /// The volume's root itself.
    public static let root = ConfinedPath(components: [])

    public init(_ text: String) throws {
        guard !text.utf8.contains(0) else { throw ConfinedFileError.invalidPath(text, "it contains a NUL character") }
        guard text.utf8.count <= Self.maximumLength else {
            throw ConfinedFileError.invalidPath(String(text.prefix(64)) + "…", "it is longer than \(Self.maximumLength) bytes")
        }
        let parts = text.split(separator: "/").filter { $0 != "." }.map(String.init)
        guard !parts.contains("..") else { throw ConfinedFileError.outside(text) }
        if let long = parts.first(where: { $0.utf8.count > Self.maximumNameLength }) {
            throw ConfinedFileError.invalidPath(text, "the name \(long.prefix(32))… is longer than \(Self.maximumNameLength) bytes")
        }
        components = parts
    }

    init(components: [String]) {
        self.components = components
    }

    public var isRoot: Bool { components.isEmpty }

    /// The last component: the entry's name in its folder; empty for the root.
    public var name: String { components.last ?? "" }

    /// The folder that holds this entry; the root's is the root.
    public var parent: ConfinedPath { ConfinedPath(components: Array(components.dropLast())) }

    public func appending(_ name: String) -> ConfinedPath { ConfinedPath(components: components + [name]) }

    /// Whether `self` is `other` or inside it.
    public func isWithin(_ other: ConfinedPath) -> Bool { components.starts(with: other.components) }

    /// The path relative to the root, as the kernel is given it: `.` for the root.
    var relative: String { isRoot ? "." : components.joined(separator: "/") }

    /// The path as people read it: `/` for the root, `/a/b` below it.
    public var description: String { "/" + components.joined(separator: "/") }
}
