import BerthPanel
import Crypto
import Foundation
import Hummingbird
import HummingbirdAuth

/// The web sessions' cookie and storage, in one place for the middleware and the sign-in steps.
struct WebSessions: Sendable {
    let driver: DatabasePersistDriver
    let configuration: SessionMiddlewareConfiguration
    /// Visitors' form tokens, which are not sessions.
    let visitors: VisitorForms

    static let cookieName = "berth_session"
    static let lifetime: Duration = .seconds(12 * 60 * 60)

    init(driver: DatabasePersistDriver, secureCookies: Bool, visitorFormKey: SymmetricKey) {
        self.driver = driver
        visitors = VisitorForms(key: visitorFormKey, secureCookies: secureCookies)
        configuration = SessionMiddlewareConfiguration(
            sessionCookieParameters: .init(name: Self.cookieName, path: "/", secure: secureCookies, sameSite: .lax),
            keyPrefix: "session.",
            defaultSessionExpiration: Self.lifetime
        )
    }

    var middleware: SessionMiddleware<WebRequestContext> {
        SessionMiddleware(storage: driver, configuration: configuration)
    }

    /// Whether the session under `id` (a cookie's value) still exists: signing out removes it, on whichever
    /// panel process the user signed out.
    func exists(id: String) async throws -> Bool {
        try await driver.get(key: configuration.keyPrefix + id, as: WebSession.self) != nil
    }

    /// Starts `session` under a new id and forgets the old one, so whoever knew the old id knows nothing now.
    func replace(with session: WebSession, request: Request, context: WebRequestContext) async throws {
        if let oldID = request.cookies[Self.cookieName]?.value {
            try await driver.remove(key: configuration.keyPrefix + oldID)
        }
        context.sessions.createSession(session, expiresIn: Self.lifetime)
    }
}
