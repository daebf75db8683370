import AsyncHTTPClient
import BerthProtocol
import Foundation
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Checks where the server may connect for a URL someone else chose (an install's download, a file fetched
/// from a URL, a webhook): only http(s); every address the host resolves to here must be neither this
/// machine, unspecified nor link-local (the cloud metadata service), nor on a private network unless the
/// operator allows it. The caller then connects to the address that was checked — never to one a second
/// lookup gives — so a resolver that answers differently the second time leads nowhere new.
public struct OutboundCheck: Sendable {
    /// Whether private networks are allowed (`--allow-private-downloads`, `--allow-private-webhooks`).
    public let allowsPrivateAddresses: Bool
    /// Whether this machine's own addresses are allowed too (a chat bot beside the panel); link-local
    /// addresses never are.
    public let allowsThisMachine: Bool
    public let wording: Wording

    public init(allowsPrivateAddresses: Bool, allowsThisMachine: Bool = false, wording: Wording) {
        self.allowsPrivateAddresses = allowsPrivateAddresses
        self.allowsThisMachine = allowsThisMachine
        self.wording = wording
    }

    /// The words a refusal is made of, so each use reads as its own.
    public struct Wording: Sendable {
        /// "this node"
        let machine: String
        /// "downloads come from elsewhere"
        let elsewhere: String
        /// "downloads never come from there"
        let never: String
        /// "the node's operator can allow that with --allow-private-downloads"
        let allowance: String

        public static let downloads = Wording(
            machine: "this node",
            elsewhere: "downloads come from elsewhere",
            never: "downloads never come from there",
            allowance: "the node's operator can allow that with --allow-private-downloads"
        )
        public static let webhooks = Wording(
            machine: "this panel",
            elsewhere: "webhooks go elsewhere",
            never: "webhooks never go there",
            allowance: "the panel's operator can allow that with --allow-private-webhooks"
        )
    }

    /// Where a connection for `url` may go: the URL once it is http(s), and the first address of its host,
    /// every address the host resolves to having passed.
    public func destination(of url: String) async throws(Refusal) -> Destination {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = parsed.host, !host.isEmpty
        else {
            throw Refusal(reason: "which is not an http(s) URL")
        }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let scopes = await Self.resolve(bareHost)
        guard let first = scopes.first else { throw Refusal(reason: "but \(bareHost) does not resolve on \(wording.machine)") }
        for (address, scope) in scopes {
            switch scope {
            case .loopback where allowsThisMachine:
                continue
            case .unspecified, .loopback:
                throw Refusal(reason: "which is \(wording.machine) (\(address)); \(wording.elsewhere)")
            case .linkLocal:
                throw Refusal(reason: "which is link-local (\(address), where cloud metadata lives); \(wording.never)")
            case .privateNetwork where !allowsPrivateAddresses:
                throw Refusal(reason: "which is on a private network (\(address)); \(wording.allowance)")
            case .privateNetwork, .ordinary:
                continue
            }
        }
        return Destination(url: parsed, host: bareHost, address: first.0)
    }

    /// A URL that passed, and the address its host was found at.
    public struct Destination: Sendable {
        public let url: URL
        public let host: String
        public let address: String
    }

    /// Why a URL may not be connected to, worded to follow it: "which is link-local (…)".
    public struct Refusal: Error {
        public let reason: String
    }

    /// Every address `host` resolves to, with its scope; a resolver that blocks (DNS can take seconds) does
    /// so on a thread of its own, never on the concurrency pool.
    public static func resolve(_ host: String) async -> [(String, AddressScope)] {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: resolveBlocking(host)) }
        }
    }

    private static func resolveBlocking(_ host: String) -> [(String, AddressScope)] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(list) }
        var found: [(String, AddressScope)] = []
        for entry in sequence(first: first, next: { $0.pointee.ai_next }) {
            guard let socketAddress = entry.pointee.ai_addr else { continue }
            switch Int32(entry.pointee.ai_family) {
            case AF_INET:
                let v4 = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                let value = UInt32(bigEndian: v4.s_addr)
                found.append((String(cString: inet_ntoa(v4)), AddressScope.of(ipv4: value)))
            case AF_INET6:
                var v6 = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                inet_ntop(AF_INET6, &v6, &text, socklen_t(text.count))
                found.append((String(cString: text), AddressScope.of(ipv6: withUnsafeBytes(of: &v6) { Array($0) })))
            default:
                continue
            }
        }
        return found
    }
}

extension OutboundCheck.Destination {
    /// A client that connects to the checked address while asking for (and checking the certificate of)
    /// the URL's host; redirects are not followed (a caller checks each one as a new destination); a server
    /// that stops sending for `readTimeout` is given up.
    public func clientConfiguration(readTimeout: TimeAmount) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: readTimeout))
        configuration.dnsOverride = [host: address]
        return configuration
    }
}
