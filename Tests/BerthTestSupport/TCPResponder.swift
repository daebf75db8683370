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
        let (listener, port) = try TCPListener.open(address: INADDR_ANY, backlog: 16)
        descriptor = listener
        self.port = port
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
