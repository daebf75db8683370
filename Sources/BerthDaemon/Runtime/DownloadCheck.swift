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
        guard let url = URL(string: filled), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            return "the install would download from \(filled), which is not an http(s) URL"
        }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let scopes = await Self.resolve(bareHost)
        guard !scopes.isEmpty else { return "the install would download from \(filled), but \(bareHost) does not resolve on this node" }
        for (address, scope) in scopes {
            switch scope {
            case .unspecified, .loopback:
                return "the install would download from \(filled), which is this node (\(address)); downloads come from elsewhere"
            case .linkLocal:
                return
                    "the install would download from \(filled), which is link-local (\(address), where cloud metadata lives); downloads never come from there"
            case .privateNetwork where !allowsPrivateAddresses:
                return
                    "the install would download from \(filled), which is on a private network (\(address)); the node's operator can allow that with --allow-private-downloads"
            case .privateNetwork, .ordinary:
                continue
            }
        }
        return nil
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
