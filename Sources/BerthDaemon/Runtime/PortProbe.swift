import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Checks whether a host port can still be published, before Docker fails half-way through a start.
enum PortProbe {
    /// True when both a TCP and a UDP socket can bind `port` on `address` right now.
    static func isFree(port: Int, address: String) -> Bool {
        canBind(port: port, address: address, type: Int32(SOCK_STREAM.rawValue))
            && canBind(port: port, address: address, type: Int32(SOCK_DGRAM.rawValue))
    }

    private static func canBind(port: Int, address: String, type: Int32) -> Bool {
        let descriptor = socket(AF_INET, type, 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else { return false }
        return withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
