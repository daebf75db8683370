import BerthHTTP
import Hummingbird

/// Answers the web routes share.
enum WebResponse {
    /// See Other: after a form, the browser loads `location` with GET, so a reload never repeats the change.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

extension PanelRequestContext {
    /// A message for the next page shown.
    func flash(_ message: String, isError: Bool = false) {
        sessions.withLockedSession { $0?.flash = WebSession.Flash(isError: isError, message: message) }
    }

    /// An API error's message as a sentence for the next page.
    func flash(_ error: APIError) {
        var message = error.message.prefix(1).uppercased() + error.message.dropFirst()
        if !message.hasSuffix(".") { message += "." }
        flash(message, isError: true)
    }

    /// The signed-in user; routes behind ``RequireSignIn`` always have one.
    func signedInUser() throws -> User {
        guard let user else { throw APIError(.unauthorized, "Sign in first.") }
        return user
    }
}

/// Sends visitors who are not signed in to the sign-in page, remembering where they were going.
struct RequireSignIn: RouterMiddleware {
    typealias Context = PanelRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.user != nil else {
            guard request.method == .get else { throw APIError(.unauthorized, "Your session has ended. Sign in again.") }
            let target = request.uri.path == "/" ? "" : "?next=\(request.uri.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "")"
            return WebResponse.redirect("/login\(target)")
        }
        return try await next(request, context)
    }
}

/// Lets only administrators through.
struct RequireAdmin: RouterMiddleware {
    typealias Context = PanelRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.user?.admin == true else { throw APIError(.forbidden, "Only administrators can open this page.") }
        return try await next(request, context)
    }
}

/// Turns errors on web routes into an HTML page that says what went wrong, with the right status.
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = PanelRequestContext
    let pages: WebPages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return page(error.status, error.message, context: context)
        } catch let error as any APIErrorConvertible {
            return page(error.apiError.status, error.apiError.message, context: context)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            return page(.notFound, "There is no page at \(request.uri.path).", context: context)
        } catch {
            context.logger.error("web request failed: \(error)")
            return page(.internalServerError, "Something went wrong on the panel. The error was logged.", context: context)
        }
    }

    private func page(_ status: HTTPResponse.Status, _ message: String, context: Context) -> Response {
        var response = pages.render("error", title: status.reasonPhrase, content: ["status": "\(status.code)", "message": message], context: context, status: status)
        response.headers.append(contentsOf: WebMiddleware.securityHeaders)
        return response
    }
}

/// Outside `/api`, whatever fails (an unknown address, most often) is answered with a page, not the API's JSON.
struct PagesOutsideAPIMiddleware: RouterMiddleware {
    typealias Context = PanelRequestContext
    let errors: WebErrorMiddleware

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !request.uri.path.hasPrefix("/api/") else { return try await next(request, context) }
        return try await errors.handle(request, context: context, next: next)
    }
}
