import Foundation

extension URL {
    /// The URL as messages and logs show it: without credentials, query or fragment, where signed links
    /// keep their secrets.
    public var withoutSecrets: String {
        guard var components = URLComponents(url: self, resolvingAgainstBaseURL: true) else { return "a URL" }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return components.string ?? "a URL"
    }

    /// `text` as messages show it: without its secrets when it is a URL, as it is when it is none (the
    /// message then says so).
    public static func withoutSecrets(_ text: String) -> String {
        URL(string: text)?.withoutSecrets ?? text
    }
}
