import Foundation
import Hummingbird

extension Request {
    /// The `path` query item of a file route (the daemon's, the panel's and the web UI's alike), or a 400
    /// that says how to name a file.
    public func requiredPathQueryItem() throws -> String {
        guard let path = uri.queryParameters.get("path"), !path.isEmpty else {
            throw APIError.badRequest("the path query item is missing; name a file, such as ?path=server.properties")
        }
        return path
    }
}

/// A value for a URL's query: RFC 3986's unreserved characters and `/` stay, everything else is
/// percent-encoded, so a tenant's file name never adds query items or breaks the URL.
public enum QueryValue {
    public static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: kept) ?? ""
    }

    private static let kept = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
}
