import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Host ports for test instances and test servers, one range for every test target: below Linux's
/// ephemeral range (32768 and up), so no outgoing connection holds one by chance, and handed out once
/// each within a test run.
public enum TestPorts {
    private static let counter = Mutex(Int.random(in: 20000...28000))

    public static func next() -> Int {
        counter.withLock { port in
            port += 1
            return port
        }
    }

    /// `count` consecutive ports, handed out together.
    public static func range(_ count: Int) -> ClosedRange<Int> {
        counter.withLock { port in
            let first = port + 1
            port += count
            return first...port
        }
    }

    /// A loopback port that was free a moment ago (nothing listens on it, so a connection is refused).
    public static func free() throws -> Int {
        for _ in 0..<50 {
            let port = next()
            if isFree(port) { return port }
        }
        throw TestFailure("no free port found")
    }

    /// Whether a TCP socket can bind the port on 127.0.0.1.
    static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
