import Foundation

/// Docker's image reference grammar (`[registry[:port]/]path[:tag][@sha256:digest]`), checked before a
/// reference reaches the engine's URL: `../containers/x` would otherwise walk the Docker API's paths.
public enum ImageReference {
    public static func isValid(_ reference: String) -> Bool {
        guard (1...255).contains(reference.utf8.count) else { return false }
        return reference.range(of: pattern, options: .regularExpression) != nil
    }

    private static let component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
    private static let domain = "[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?"
    private static let pattern =
        "^(?:\(domain)/)?\(component)(?:/\(component))*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
}
