import BerthHTTP
import ConfinedFiles
import Hummingbird

extension ConfinedFileError: APIErrorConvertible {
    /// The one place where the file layer's refusals become HTTP answers.
    public var apiError: APIError {
        switch self {
        case .notFound: APIError(.notFound, description)
        case .exists: APIError(.conflict, description)
        case .notARegularFile, .notAFolder, .outside, .invalidPath, .refused: APIError(.badRequest, description)
        case .tooLarge: APIError(.contentTooLarge, description)
        case .system where isOutOfSpace:
            APIError(.init(code: 507, reasonPhrase: "Insufficient Storage"), "the instance's disk is full: \(description)")
        case .system: APIError(.internalServerError, description)
        }
    }
}
