import Foundation

/// Where a Docker engine listens: a unix socket (the usual case) or plain TCP on a trusted network.
public enum DockerHost: Sendable, Hashable, CustomStringConvertible {
    case unixSocket(path: String)
    case tcp(host: String, port: Int)

    /// The engine Docker's own tools would use given their environment: `DOCKER_HOST` when set, else
    /// `/var/run/docker.sock`. The caller reads the environment (once, at start) and passes it in.
    public static func fromEnvironment(_ environment: [String: String]) -> DockerHost {
        if let value = environment["DOCKER_HOST"], !value.isEmpty, let host = DockerHost(parsing: value) {
            return host
        }
        return .unixSocket(path: "/var/run/docker.sock")
    }

    /// Reads `unix:///path/docker.sock` or `tcp://host:port`, as in `DOCKER_HOST`; nil for anything else.
    public init?(parsing address: String) {
        if address.hasPrefix("unix://") {
            let path = String(address.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { return nil }
            self = .unixSocket(path: path)
        } else if address.hasPrefix("tcp://") {
            let hostAndPort = address.dropFirst("tcp://".count).split(separator: "/").first ?? ""
            guard let colon = hostAndPort.lastIndex(of: ":"),
                let port = Int(hostAndPort[hostAndPort.index(after: colon)...]),
                (1...65535).contains(port)
            else { return nil }
            let host = String(hostAndPort[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            guard !host.isEmpty else { return nil }
            self = .tcp(host: host, port: port)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .unixSocket(let path): "unix://\(path)"
        case .tcp(let host, let port): "tcp://\(host):\(port)"
        }
    }

    /// The base URL AsyncHTTPClient understands for this host.
    var baseURL: String {
        switch self {
        case .unixSocket(let path):
            // `http+unix://<percent-encoded socket path>` is AsyncHTTPClient's form for unix sockets.
            URL(httpURLWithSocketPath: path)?.absoluteString.trimmingSuffix("/") ?? "http+unix://"
        case .tcp(let host, let port):
            host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
        }
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
