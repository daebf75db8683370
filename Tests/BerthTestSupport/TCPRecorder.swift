import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP relay that keeps a copy of every byte it carries, both ways: what anyone sniffing the
/// wire between two parts would see. It listens at once; where it forwards to (a port on 127.0.0.1)
/// may be set later, when that port is known.
public final class TCPRecorder: Sendable {
    public let port: Int
    private let listener: Int32
    private let state = Mutex<(target: Int?, captured: [UInt8], closed: Bool)>((nil, [], false))

    public init() throws {
        (listener, port) = try TCPListener.open(address: inet_addr("127.0.0.1"), backlog: 64)
        Thread.detachNewThread { [self] in acceptConnections() }
    }

    /// Where connections go from now on.
    public func forward(to port: Int) {
        state.withLock { $0.target = port }
    }

    /// Everything carried so far, both directions interleaved.
    public var captured: Data {
        state.withLock { Data($0.captured) }
    }

    /// Stops listening. Only shut down here: the accepting thread closes the socket itself once its
    /// `accept` fails, so it never calls `accept` on a descriptor number the process has reused since
    /// (it would take connections meant for another server of the test process).
    public func stop() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            shutdown(listener, Int32(SHUT_RDWR))
        }
    }

    deinit { stop() }

    private func acceptConnections() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                close(listener)
                return
            }
            guard let target = state.withLock({ $0.target }) else {
                close(client)
                continue
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: target)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                close(upstream)
                close(client)
                continue
            }
            let done = Mutex(0)
            let finish: @Sendable () -> Void = {
                // The second direction to end closes both sockets.
                if done.withLock({ count in
                    count += 1
                    return count == 2
                }) {
                    close(client)
                    close(upstream)
                }
            }
            Thread.detachNewThread { [self] in
                pump(from: client, to: upstream)
                finish()
            }
            Thread.detachNewThread { [self] in
                pump(from: upstream, to: client)
                finish()
            }
        }
    }

    private func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            state.withLock { $0.captured.append(contentsOf: buffer[0..<count]) }
            var sent = 0
            while sent < count {
                let written = buffer[sent..<count].withUnsafeBytes { send(destination, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else {
                    shutdown(source, Int32(SHUT_RDWR))
                    return
                }
                sent += written
            }
        }
        // Pass the end on, so the other side's reader ends too.
        shutdown(destination, Int32(SHUT_WR))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}
