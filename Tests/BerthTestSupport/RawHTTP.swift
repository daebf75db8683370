import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One hand-written HTTP/1.1 request over a plain TCP socket to loopback, for what an HTTP client library
/// will not send or will not show: a WebSocket handshake with the headers a browser on another site would
/// send, and the status line it gets back (101 means the socket opened).
public enum RawHTTP {
    /// Sends `head` (request line and headers, without the blank line) and returns the answer's status line.
    public static func statusLine(port: Int, head: String, timeoutSeconds: Int = 30) throws -> String {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("no socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw TestFailure("cannot connect to port \(port): \(String(cString: strerror(errno)))") }
        let request = Array((head + "\r\n\r\n").utf8)
        guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw TestFailure("the request could not be sent")
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !received.contains(UInt8(ascii: "\n")) {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += buffer[..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let line = text.split(separator: "\r\n", maxSplits: 1).first, line.hasPrefix("HTTP/") else {
            throw TestFailure("no HTTP answer: \(text)")
        }
        return String(line)
    }
}
