import Foundation

/// A path of the panel ⇄ node contract, written once for both sides: the server registers ``pattern``
/// (Hummingbird's `:id` syntax), the client calls ``path(id:)``. Renaming a route then changes both.
public struct RoutePath: Sendable, Hashable, CustomStringConvertible {
    /// The route as a router matches it, e.g. `/api/instances/:id/power`.
    public let pattern: String

    public init(_ pattern: String) {
        self.pattern = pattern
    }

    /// The path for one instance, e.g. `/api/instances/abc/power`.
    public func path(id: String) -> String {
        pattern.replacingOccurrences(of: ":id", with: id)
    }

    public var description: String { pattern }
}
