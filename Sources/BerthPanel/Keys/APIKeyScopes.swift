/// What an API key may do. `admin` is the seed's full access (what `berth apikey create` gives unless told
/// otherwise, so Skyport tools keep working); `read` reads everything; `<resource>:read` and
/// `<resource>:write` open one kind of thing, and writing a kind includes reading it.
package struct APIKeyScopes: Sendable, Equatable, CustomStringConvertible {
    package enum Resource: String, Sendable, CaseIterable {
        case users, instances, nodes, images
    }

    package enum Access: String, Sendable {
        case read, write
    }

    package let names: Set<String>

    package static let admin = APIKeyScopes(checkedNames: ["admin"])

    /// Every scope a key can have.
    package static let known: [String] =
        ["admin", "read"] + Resource.allCases.flatMap { ["\($0.rawValue):read", "\($0.rawValue):write"] }

    private init(checkedNames: Set<String>) {
        names = checkedNames
    }

    /// Scopes as given (names separated by spaces or commas); an unknown or missing one is a ``PanelError``.
    package init(_ text: String) throws {
        let names = Set(text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init))
        guard !names.isEmpty else { throw PanelError.invalid("a key needs at least one scope: \(Self.known.joined(separator: ", "))") }
        if let unknown = names.sorted().first(where: { !Self.known.contains($0) }) {
            throw PanelError.invalid("\(unknown) is not a scope; scopes are \(Self.known.joined(separator: ", "))")
        }
        self.init(checkedNames: names)
    }

    /// Scopes as the database keeps them, which were checked when the key was made; unknown names give nothing.
    package init(stored text: String) {
        self.init(checkedNames: Set(text.split(separator: " ").map(String.init)).intersection(Self.known))
    }

    package func allow(_ access: Access, on resource: Resource) -> Bool {
        names.contains("admin") || names.contains("\(resource.rawValue):write")
            || (access == .read && (names.contains("read") || names.contains("\(resource.rawValue):read")))
    }

    /// Sorted and separated by spaces, as stored and shown.
    package var description: String { names.sorted().joined(separator: " ") }
}
