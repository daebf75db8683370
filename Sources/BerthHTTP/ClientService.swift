import AsyncHTTPClient
import ServiceLifecycle

/// An HTTP client owned by one panel or one daemon, shut down with it: its connections and their pool
/// are that part's alone, never shared with other panels, daemons or tests in the same process.
public final class ClientService: Service, Sendable {
    public let client: HTTPClient

    /// With `retryingConnections` off, a connection that cannot be made fails the request at once, where
    /// by default the client tries again until the request's deadline: for callers that have somewhere
    /// else to turn (another panel replica) or a retry of their own.
    public init(retryingConnections: Bool = true) {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = retryingConnections
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
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
