import Foundation

/// What can go wrong when talking to a Docker engine. Cases that come from the engine carry its own message.
public enum DockerEngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The engine could not be reached at all (not running, wrong socket, permission denied).
    case engineUnavailable(host: String, reason: String)
    /// The container, image or other object does not exist (HTTP 404).
    case notFound(message: String)
    /// The request conflicts with the object's state, e.g. a name in use or a container not running (HTTP 409).
    case conflict(message: String)
    /// The engine rejected the request as malformed (HTTP 400).
    case badRequest(message: String)
    /// Pulling an image failed part-way; the engine reports such errors inside the progress stream.
    case pullFailed(image: String, message: String)
    /// Any other answer the engine gave that was not a success.
    case unexpectedStatus(code: Int, message: String)
    /// The engine answered with something we could not read.
    case malformedResponse(reason: String)

    public var description: String {
        switch self {
        case .engineUnavailable(let host, let reason):
            "no Docker engine answers at \(host): \(reason)"
        case .notFound(let message), .conflict(let message), .badRequest(let message):
            message
        case .pullFailed(let image, let message):
            "pulling \(image) failed: \(message)"
        case .unexpectedStatus(let code, let message):
            "the Docker engine answered \(code): \(message)"
        case .malformedResponse(let reason):
            "the Docker engine sent a response that could not be read: \(reason)"
        }
    }

    /// Maps an engine's error answer to a typed error. Docker's error bodies are `{"message": "..."}`.
    static func fromResponse(status: Int, body: [UInt8]) -> DockerEngineError {
        let message =
            (try? JSONDecoder.docker.decode(EngineMessage.self, from: Data(body)))?.message
            ?? String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        switch status {
        case 400: return .badRequest(message: message)
        case 404: return .notFound(message: message)
        case 409: return .conflict(message: message)
        default: return .unexpectedStatus(code: status, message: message)
        }
    }
}

struct EngineMessage: Decodable {
    let message: String
}
