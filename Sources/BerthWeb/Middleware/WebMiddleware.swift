import BerthHTTP
import BerthPanel
import Foundation
import HTTPTypes
import Hummingbird

/// Runs before every web route: finds the signed-in user, reads the form and refuses any state-changing
/// request whose CSRF token does not match the session's (a visitor's: its signed cookie's). Adds the
/// security headers to every answer.
struct WebMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext

    let users: UserStore
    let visitors: VisitorForms
    /// Largest form accepted (an image's JSON is the largest thing a form carries).
    static let maxFormBytes = 1024 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.currentPath = request.uri.path
        var session = context.sessions.session
        if let userID = session?.userID {
            let user = try await users.find(id: userID)
            if let user, (user.sessionEpoch ?? 0) == session?.epoch {
                context.user = user
            } else {
                // The user was deleted, or changed their password elsewhere: this session ends.
                session = nil
                context.sessions.clearSession()
            }
        }
        // A visitor's token comes from the signed cookie, or is new (and the cookie is set on the answer).
        let visitorToken = session == nil ? visitors.token(in: request) : nil
        if session == nil { context.visitorFormToken = visitorToken ?? Secrets.generate() }
        if request.method != .get, request.method != .head {
            // An upload's body is the file, streamed on by its route, never read as a form: its token comes in a header.
            let isUpload = request.headers[.contentType]?.hasPrefix("application/octet-stream") == true
            if !isUpload { context.form = try await Self.readForm(request) }
            let presented = (isUpload ? nil : context.form.optional("csrf")) ?? request.headers[.csrfToken] ?? ""
            guard let expected = session?.csrfToken ?? visitorToken, Secrets.constantTimeEquals(presented, expected) else {
                throw APIError(.forbidden, "This form has expired or did not come from Berth. Go back, reload the page and try again.")
            }
        }
        var response = try await next(request, context)
        if let token = context.visitorFormToken, token != visitorToken { response.setCookie(visitors.cookie(for: token)) }
        for field in Self.securityHeaders { response.headers[field.name] = field.value }
        return response
    }

    static func readForm(_ request: Request) async throws -> FormFields {
        guard let buffer = try? await request.body.collect(upTo: maxFormBytes) else {
            throw APIError(.contentTooLarge, "The form is larger than \(maxFormBytes / 1024) KB.")
        }
        return FormFields(encoded: String(buffer: buffer))
    }

    /// Pages load only our own scripts and styles, are never framed, and never leak paths to other sites.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        .xFrameOptions: "DENY",
        .xContentTypeOptions: "nosniff",
        .referrerPolicy: "same-origin",
    ]
}

extension HTTPField.Name {
    static let csrfToken = named("x-csrf-token")
    static let xFrameOptions = named("x-frame-options")
    static let xContentTypeOptions = named("x-content-type-options")
    static let referrerPolicy = named("referrer-policy")

    /// A field name written in the code; an invalid one is a programming error, not a wrong header.
    private static func named(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { preconditionFailure("\(name) is a valid field name") }
        return field
    }
}
