/// An error that knows which API answer it is; the error middleware turns it into that answer.
public protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}
