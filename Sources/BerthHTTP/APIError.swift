import BerthProtocol
import Foundation
import Hummingbird

/// An error answer of Berth's HTTP APIs (panel and daemon): a status and `{"error": "..."}` that says what is wrong.
public struct APIError: HTTPResponseError {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
    public static func conflict(_ message: String) -> APIError { APIError(.conflict, message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try JSONResponse.make(ErrorBody(error: message), status: status)
    }
}

/// JSON answers, all written with one encoder so both sides of the wire agree on the shape.
public enum JSONResponse {
    public static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

/// An error that knows which API answer it is; the error middleware turns it into that answer.
public protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}

/// Turns every error that reaches the top into `{"error": ...}` with the right status, including
/// the router's own 404 for unknown paths. Unexpected errors are logged and answered as a bare 500,
/// so no internal detail (or secret) leaks into a response.
public struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as any APIErrorConvertible {
            throw error.apiError
        } catch let error as any HTTPResponseError {
            throw APIError(
                error.status,
                error.status == .notFound ? "no such route: \(request.method) \(request.uri.path)" : error.status.reasonPhrase
            )
        } catch {
            context.logger.error("request failed: \(error)")
            throw APIError(.internalServerError, "internal error")
        }
    }
}
