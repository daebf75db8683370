/// The two secrets a node shares with its panel, one for each direction, so that neither side holds a
/// secret that lets it speak as the other: the panel presents ``toNode`` to the daemon (inside TLS), and
/// the daemon signs its callbacks with ``toPanel``, which never travels at all.
public struct NodeCredentials: Sendable, Equatable {
    /// What the panel presents to the daemon as `Authorization: Bearer …`; the daemon's console tokens
    /// are signed with a key derived from it.
    public let toNode: String
    /// The key the daemon signs its callbacks with (``CallbackSignature``).
    public let toPanel: String

    public init(toNode: String, toPanel: String) {
        self.toNode = toNode
        self.toPanel = toPanel
    }

    public static func generate() -> NodeCredentials {
        NodeCredentials(toNode: Secrets.generate(), toPanel: Secrets.generate())
    }

    /// Both as one word for `berth daemon configure --token`: `toNode.toPanel`.
    public var token: String { "\(toNode).\(toPanel)" }

    /// Reads ``token``; a token from before the split (one secret, no dot) serves both directions.
    public init?(token: String) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(parts.count), parts.allSatisfy(Self.isWellFormed) else { return nil }
        self.init(toNode: parts[0], toPanel: parts.last ?? parts[0])
    }

    private static func isWellFormed(_ secret: String) -> Bool {
        secret.count >= 32 && secret.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

extension NodeCredentials: CustomStringConvertible {
    /// Never the secrets, whatever prints it.
    public var description: String { "NodeCredentials(redacted)" }
}
