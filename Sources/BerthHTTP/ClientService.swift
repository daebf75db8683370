import AsyncHTTPClient
import ServiceLifecycle

/// An HTTP client owned by one panel or one daemon, shut down with it: its connections and their pool
/// are that part's alone, never shared with other panels, daemons or tests in the same process.
public final class ClientService: Service, Sendable {
    public let client: HTTPClient

    public init() {
        client = HTTPClient(eventLoopGroupProvider: .singleton)
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try? await client.shutdown()
    }
}

extension ClientService: CustomStringConvertible {
    /// Only the name: ServiceLifecycle logs its services at debug level.
    public var description: String { "ClientService" }
}
