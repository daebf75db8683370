import BerthProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Checks where an install downloads from before its script runs: each URL once the instance's variables
/// are filled in (a tenant sets them, so `http://{{HOST}}/server.jar` may point anywhere) and its host
/// resolved on this node. Only http(s); never loopback, unspecified or link-local (the cloud metadata
/// service); a private network only when the operator allows it. A resolver that answers differently a
/// moment later still meets the tenant network's rules, which keep installers off the node and link-local
/// addresses.
struct DownloadCheck: Sendable {
    /// Whether downloads may come from private networks (`--allow-private-downloads`).
    let allowsPrivateAddresses: Bool

    /// Why the install may not download from `template` with `environment` (the installer's), or nil.
    func problem(with template: String, environment: [String: String]) async -> String? {
        let filled = VariablePlaceholders.rewrite(template, variable: { environment[$0] ?? "" })
        do {
            _ = try await destination(of: filled)
            return nil
        } catch {
            return "the install would download from \(filled), \(error.reason)"
        }
    }

    /// Where a download from `url` may connect: the URL once it is http(s), and the first address of its
    /// host, every address the host resolves to having passed. Connecting to that address (rather than
    /// resolving again) keeps a resolver that answers differently the second time from leading elsewhere.
    func destination(of url: String) async throws(Refusal) -> Destination {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = parsed.host, !host.isEmpty
        else {
            throw Refusal(reason: "which is not an http(s) URL")
        }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let scopes = await Self.resolve(bareHost)
        guard let first = scopes.first else { throw Refusal(reason: "but \(bareHost) does not resolve on this node") }
        for (address, scope) in scopes {
            switch scope {
            case .unspecified, .loopback:
                throw Refusal(reason: "which is this node (\(address)); downloads come from elsewhere")
            case .linkLocal:
                throw Refusal(reason: "which is link-local (\(address), where cloud metadata lives); downloads never come from there")
            case .privateNetwork where !allowsPrivateAddresses:
                throw Refusal(
                    reason: "which is on a private network (\(address)); the node's operator can allow that with --allow-private-downloads"
                )
            case .privateNetwork, .ordinary:
                continue
            }
        }
        return Destination(url: parsed, host: bareHost, address: first.0)
    }

    /// A URL that passed, and the address its host was found at.
    struct Destination: Sendable {
        let url: URL
        let host: String
        let address: String
    }

    /// Why a URL may not be downloaded from, worded to follow it: "which is link-local (…)".
    struct Refusal: Error {
        let reason: String
    }

    /// Every address `host` resolves to, with its scope; a resolver that blocks (DNS can take seconds) does
    /// so on a thread of its own, never on the concurrency pool.
    static func resolve(_ host: String) async -> [(String, AddressScope)] {
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
