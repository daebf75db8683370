import BerthPanel

/// A secret a form just made (an API key, a node's configuration command), kept sealed in the session for
/// the one page that shows it after the form's redirect. The form answers with a redirect, so reloading
/// that page never repeats the creation and never mints a second secret nobody sees; the page shows the
/// secret once and forgets it.
struct ShownOnce: Codable, Sendable {
    /// Which page shows it, so another page never takes it by mistake.
    var page: String
    /// What the secret belongs to, for the page's heading.
    var name: String
    /// The secret, sealed by the panel key (``SecretBox``): the session row holds no usable secret.
    var sealed: String

    static let column = "web_sessions.shown_once"
}

extension WebRequestContext {
    /// Keeps `secret` for the next time `page` is shown.
    func showOnce(_ secret: String, named name: String, on page: String, sealedBy box: SecretBox) throws {
        let sealed = try box.seal(secret, for: ShownOnce.column)
        sessions.withLockedSession { $0?.shownOnce = ShownOnce(page: page, name: name, sealed: sealed) }
    }

    /// The secret kept for `page`, if any, and forgets it: a reload of the page no longer shows it.
    func takeShownOnce(on page: String, openedBy box: SecretBox) -> (name: String, secret: String)? {
        guard let kept = sessions.session?.shownOnce, kept.page == page else { return nil }
        sessions.withLockedSession { $0?.shownOnce = nil }
        guard let secret = try? box.open(kept.sealed, of: ShownOnce.column) else { return nil }
        return (kept.name, secret)
    }
}
