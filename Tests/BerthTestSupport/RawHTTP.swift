import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One hand-written HTTP/1.1 request over a plain TCP socket to loopback, for what an HTTP client library
/// will not send or will not show: a WebSocket handshake with the headers a browser would send (client
/// libraries send an `Origin` without the port), the status line it gets back (101 means the socket
/// opened), and the frames that follow.
public final class RawHTTP: Sendable {
    private let descriptor: Int32
    /// What was received and not read yet; one reader at a time.
    private let buffer = Mutex<[UInt8]>([])

    /// Connects to `port` on loopback (or `address`) and sends `head` (request line and headers, without the blank line).
    public init(port: Int, head: String, timeoutSeconds: Int = 30, address: String = "127.0.0.1") throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("no socket: \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let host = address
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestFailure("cannot connect to port \(port): \(String(cString: strerror(errno)))")
        }
        let request = Array((head + "\r\n\r\n").utf8)
        guard request.withUnsafeBytes({ Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else {
            close(descriptor)
            throw TestFailure("the request could not be sent")
        }
    }

    deinit { close(descriptor) }

    /// The head of a WebSocket handshake for `path` on loopback `port`, as a browser sends it, with
    /// `headers` (`Origin`, `Cookie`, ...) added.
    public static func webSocketHandshake(_ path: String, port: Int, headers: [String] = [], host: String = "127.0.0.1") -> String {
        ([
            "GET \(path) HTTP/1.1",
            "Host: \(host):\(port)",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version: 13",
        ] + headers).joined(separator: "\r\n")
    }

    /// Sends `head` and returns the answer's status line.
    public static func statusLine(port: Int, head: String, timeoutSeconds: Int = 30) throws -> String {
        try RawHTTP(port: port, head: head, timeoutSeconds: timeoutSeconds).statusLine()
    }

    /// The answer's status line; the rest of the head is read and dropped.
    public func statusLine() throws -> String {
        try buffer.withLock { try statusLine(&$0) }
    }

    private func statusLine(_ received: inout [UInt8]) throws -> String {
        while !received.containsHeadEnd {
            guard try receiveMore(into: &received) else { break }
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let line = text.split(separator: "\r\n", maxSplits: 1).first, line.hasPrefix("HTTP/") else {
            throw TestFailure("no HTTP answer: \(text)")
        }
        if let end = received.headEnd { received.removeFirst(end) }
        return String(line)
    }

    /// Sends `bytes` after the head: a body, or the start of one.
    public func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw TestFailure("sending failed after \(sent) bytes: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }

    /// What the server sends up to and including the first `marker` not read yet: one event of a stream
    /// that stays open. The text after it stays for the next read.
    public func read(through marker: String) throws -> String {
        try buffer.withLock { received in
            let pattern = Array(marker.utf8)
            while true {
                if let end = received.indices.first(where: { received[$0...].starts(with: pattern) }).map({ $0 + pattern.count }) {
                    defer { received.removeFirst(end) }
                    return String(decoding: received[..<end], as: UTF8.self)
                }
                guard try receiveMore(into: &received) else { throw TestFailure("closed before \(marker)") }
            }
        }
    }

    /// Everything the server sends until it closes the connection. A connection still open when the
    /// receive timeout passes throws.
    public func readUntilClosed() throws -> String {
        try buffer.withLock { received in
            do {
                while try receiveMore(into: &received) {}
            } catch {
                throw TestFailure("\(error) after \(received.count) bytes: \(String(decoding: received.prefix(200), as: UTF8.self))")
            }
            defer { received.removeAll() }
            return String(decoding: received, as: UTF8.self)
        }
    }

    /// Sends `text` as one WebSocket text frame, masked as a client must.
    public func sendTextFrame(_ text: String) throws {
        let payload = Array(text.utf8)
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame += [0x80 | 126, UInt8(payload.count >> 8 & 0xFF), UInt8(payload.count & 0xFF)]
        }
        let mask = (0..<4).map { _ in UInt8.random(in: .min ... .max) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try send(frame)
    }

    /// Closes the connection from this side.
    public func shutDown() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// The next WebSocket frame from the server (which never masks): its opcode (1 text, 8 close) and payload.
    public func nextFrame() throws -> (opcode: UInt8, payload: [UInt8]) {
        try buffer.withLock { try nextFrame(&$0) }
    }

    private func nextFrame(_ received: inout [UInt8]) throws -> (opcode: UInt8, payload: [UInt8]) {
        try fill(2, &received)
        let opcode = received[0] & 0x0F
        var length = Int(received[1] & 0x7F)
        var headerLength = 2
        if length == 126 {
            try fill(4, &received)
            length = Int(received[2]) << 8 | Int(received[3])
            headerLength = 4
        } else if length == 127 {
            try fill(10, &received)
            length = received[2..<10].reduce(0) { $0 << 8 | Int($1) }
            headerLength = 10
        }
        try fill(headerLength + length, &received)
        let payload = Array(received[headerLength..<headerLength + length])
        received.removeFirst(headerLength + length)
        return (opcode, payload)
    }

    private func fill(_ count: Int, _ received: inout [UInt8]) throws {
        while received.count < count {
            guard try receiveMore(into: &received) else { throw TestFailure("the connection ended after \(received.count) of \(count) bytes") }
        }
    }

    private func receiveMore(into received: inout [UInt8]) throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw TestFailure("nothing received: \(String(cString: strerror(errno)))") }
        received += buffer[..<count]
        return count > 0
    }
}

extension [UInt8] {
    fileprivate var headEnd: Int? {
        guard count >= 4 else { return nil }
        for index in 0...(count - 4) where self[index..<index + 4].elementsEqual([13, 10, 13, 10]) { return index + 4 }
        return nil
    }

    fileprivate var containsHeadEnd: Bool { headEnd != nil }
}
