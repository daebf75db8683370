import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A TCP listener on every address of this machine that answers each connection with one line and closes
/// it: a stand-in for a service on the node (an SSH server, a database) that tenants must not reach.
public final class TCPResponder: Sendable {
    public let port: Int
    private let descriptor: Int32
    private let closed = Mutex(false)

    public init(reply: String) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw TestFailure("no socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = INADDR_ANY
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw TestFailure("cannot listen: \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        descriptor = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let bytes = Array((reply + "\n").utf8)
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else {
                    // Closed here, not in stop(): closed there, its number could be reused before this
                    // thread's next accept, which would then take another server's connections.
                    close(listener)
                    return
                }
                _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(client)
            }
        }
    }

    /// Stops listening; the accepting thread ends.
    public func stop() {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            shutdown(descriptor, Int32(SHUT_RDWR))
        }
    }

    deinit { stop() }
}
