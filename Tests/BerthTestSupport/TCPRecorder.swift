import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP relay that keeps a copy of every byte it carries, both ways: what anyone sniffing the
/// wire between two parts would see. It listens at once; where it forwards to (a port on 127.0.0.1, or
/// a unix socket such as the Docker engine's) may be set later, when that is known. A test can cut the
/// connections that carried a given request, as a network or an engine dropping them would.
public final class TCPRecorder: Sendable {
    public let port: Int
    private let listener: Int32

    private enum Target: Sendable {
        case port(Int)
        case unixSocket(String)
    }

    private struct Connection: Sendable {
        let client: Int32
        let upstream: Int32
        var sent: [UInt8] = []
    }

    private struct State: Sendable {
        var target: Target?
        var captured: [UInt8] = []
        var closed = false
        var connections: [Int32: Connection] = [:]
    }

    private let state = Mutex(State())

    public init() throws {
        (listener, port) = try TCPListener.open(address: inet_addr("127.0.0.1"), backlog: 64)
        Thread.detachNewThread { [self] in acceptConnections() }
    }

    /// Where connections go from now on.
    public func forward(to port: Int) {
        state.withLock { $0.target = .port(port) }
    }

    /// Where connections go from now on: a unix socket.
    public func forward(toUnixSocket path: String) {
        state.withLock { $0.target = .unixSocket(path) }
    }

    /// Cuts, both ways, every open connection whose client has sent `text` on it; returns how many.
    @discardableResult
    public func cutConnections(carrying text: String) -> Int {
        let needle = Data(text.utf8)
        return state.withLock { state in
            let matching = state.connections.values.filter { Data($0.sent).range(of: needle) != nil }
            for connection in matching {
                shutdown(connection.client, Int32(SHUT_RDWR))
                shutdown(connection.upstream, Int32(SHUT_RDWR))
            }
            return matching.count
        }
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
            guard let upstream = Self.connect(to: target) else {
                close(client)
                continue
            }
            state.withLock { $0.connections[client] = Connection(client: client, upstream: upstream) }
            let done = Mutex(0)
            let finish: @Sendable () -> Void = { [self] in
                // The second direction to end closes both sockets.
                if done.withLock({ count in
                    count += 1
                    return count == 2
                }) {
                    state.withLock { _ = $0.connections.removeValue(forKey: client) }
                    close(client)
                    close(upstream)
                }
            }
            Thread.detachNewThread { [self] in
                pump(from: client, to: upstream, fromClient: client)
                finish()
            }
            Thread.detachNewThread { [self] in
                pump(from: upstream, to: client, fromClient: nil)
                finish()
            }
        }
    }

    private static func connect(to target: Target) -> Int32? {
        switch target {
        case .port(let port):
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = loopback(port: port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                close(upstream)
                return nil
            }
            return upstream
        case .unixSocket(let path):
            let upstream = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { bytes in
                for (index, byte) in path.utf8.prefix(bytes.count - 1).enumerated() { bytes[index] = byte }
            }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard connected == 0 else {
                close(upstream)
                return nil
            }
            return upstream
        }
    }

    /// Carries bytes one way; `fromClient` names the connection when they are the client's own.
    private func pump(from source: Int32, to destination: Int32, fromClient client: Int32?) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            state.withLock { state in
                state.captured.append(contentsOf: buffer[0..<count])
                if let client { state.connections[client]?.sent.append(contentsOf: buffer[0..<count]) }
            }
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
