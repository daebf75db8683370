import BerthHTTP
import BerthPanel
import Hummingbird

/// Turns errors on web routes into an HTML page that says what went wrong, with the right status.
struct WebErrorMiddleware: RouterMiddleware {
    typealias Context = WebRequestContext
    let pages: WebPages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            // The page keeps what the answer says besides its status: `Allow` on a 405, `Retry-After`.
            var response = page(error.status, error.message, context: context)
            response.headers.append(contentsOf: error.headers)
            return response
        } catch let error as PanelError {
            return page(error.pageStatus, error.message, context: context)
        } catch let error as any APIErrorConvertible {
            let answer = error.apiError
            if answer.status == .internalServerError { context.logger.error("web request failed: \(error)") }
            return page(answer.status, answer.message, context: context)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            return page(.notFound, "There is no page at \(request.uri.path).", context: context)
        } catch {
            context.logger.error("web request failed: \(error)")
            return page(.internalServerError, "Something went wrong on the panel. The error was logged.", context: context)
        }
    }

    private func page(_ status: HTTPResponse.Status, _ message: String, context: Context) -> Response {
        var response = pages.render(
            "error",
            title: status.reasonPhrase,
            content: ["status": "\(status.code)", "message": message],
            context: context,
            status: status
        )
        response.headers.append(contentsOf: WebMiddleware.securityHeaders)
        return response
    }
}
