import AsyncHTTPClient
import Foundation

extension DockerEngine {
    public func inspectImage(_ reference: String) async throws -> ImageInspection {
        try await decode(ImageInspection.self, .GET, "/images/\(escapedImage(reference))/json")
    }

    /// Whether the engine has the image locally.
    public func hasImage(_ reference: String) async throws -> Bool {
        do {
            _ = try await inspectImage(reference)
            return true
        } catch DockerEngineError.notFound {
            return false
        }
    }

    public func listImages() async throws -> [ImageSummary] {
        try await decode([ImageSummary].self, .GET, "/images/json")
    }

    /// Pulls an image, yielding the engine's progress. The sequence throws
    /// ``DockerEngineError/pullFailed(image:message:)`` when the engine reports an error part-way.
    public func pullImage(_ reference: String) async throws -> PullProgressStream {
        let (name, tag) = Self.split(reference: reference)
        let response = try await send(.POST, "/images/create", query: [("fromImage", name), ("tag", tag)])
        return PullProgressStream(image: reference, lines: JSONLines(bytes: response.body.makeAsyncIterator()))
    }

    /// `registry:5000/name:tag` → (`registry:5000/name`, `tag`); a missing tag is `latest`; digests are kept whole.
    static func split(reference: String) -> (name: String, tag: String) {
        if let at = reference.firstIndex(of: "@") {
            return (String(reference[..<at]), String(reference[reference.index(after: at)...]))
        }
        let lastSlash = reference.lastIndex(of: "/")
        if let colon = reference.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            return (String(reference[..<colon]), String(reference[reference.index(after: colon)...]))
        }
        return (reference, "latest")
    }

    /// Image names contain slashes that are part of the route (`/images/library/busybox/json`), so only
    /// characters that could change the route's meaning are escaped.
    private func escapedImage(_ reference: String) -> String {
        reference.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#"))) ?? reference
    }
}

/// The progress of a pull, ending when the pull is done; errors the engine reports inside the stream are thrown.
public struct PullProgressStream: AsyncSequence {
    public typealias Element = PullProgress

    let image: String
    let lines: JSONLines<PullProgress, HTTPClientResponse.Body.AsyncIterator>

    public func makeAsyncIterator() -> Iterator {
        Iterator(image: image, lines: lines.makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        let image: String
        var lines: JSONLines<PullProgress, HTTPClientResponse.Body.AsyncIterator>.Iterator

        public mutating func next() async throws -> PullProgress? {
            guard let progress = try await lines.next() else { return nil }
            if let error = progress.error {
                throw DockerEngineError.pullFailed(image: image, message: error)
            }
            return progress
        }
    }

    /// Reads the whole pull, throwing if it failed.
    public func finish() async throws {
        for try await _ in self {}
    }
}
