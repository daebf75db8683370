import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Checks whether a host port can still be published, before Docker fails half-way through a start.
enum PortProbe {
    /// True when both a TCP and a UDP socket can bind `port` on `address` (IPv4 or IPv6) right now.
    static func isFree(port: Int, address: String) -> Bool {
        canBind(port: port, address: address, type: Int32(SOCK_STREAM.rawValue))
            && canBind(port: port, address: address, type: Int32(SOCK_DGRAM.rawValue))
    }

    private static func canBind(port: Int, address: String, type: Int32) -> Bool {
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, address, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
            return bind(family: AF_INET, type: type, address: &v4)
        }
        // `::` and other IPv6 publish addresses: an IPv4-only probe called every port taken, so every
        // install on such a node failed.
        var v6 = sockaddr_in6()
        guard inet_pton(AF_INET6, address, &v6.sin6_addr) == 1 else { return false }
        v6.sin6_family = sa_family_t(AF_INET6)
        v6.sin6_port = in_port_t(UInt16(port).bigEndian)
        return bind(family: AF_INET6, type: type, address: &v6)
    }

    private static func bind<Address>(family: Int32, type: Int32, address: inout Address) -> Bool {
        let descriptor = socket(family, type, 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<Address>.size)) == 0
            }
        }
    }
}
