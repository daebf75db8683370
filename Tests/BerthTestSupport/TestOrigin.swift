import Foundation

/// A web server of a test's own, in a network namespace at a TEST-NET address routed from this machine
/// (nothing leaves it), answering as good, hostile and broken servers do, for tests of fetching files
/// from URLs: `/plugin.jar` (``payload``), `/redirect?to=URL`, `/loop` (redirects to itself), `/huge`
/// (claims a terabyte), `/endless` (256 MiB without a length), `/broken` (breaks off), `/hold` (answers
/// once `/release` is asked; `/held` counts those waiting) and 404 for anything else.
public struct TestOrigin: Sendable {
    /// Its address; each suite that runs beside others takes one of its own, its route being the node's.
    public let address: String
    public let port = 8081

    public init(address: String) {
        self.address = address
    }

    public var url: String { "http://\(address):\(port)" }

    /// What the origin serves at `/plugin.jar`: 300 KiB of every byte value.
    public static let payload = Data((0..<(300 * 1024)).map { UInt8($0 % 256) })

    static let program = #"""
        import http.server, sys, threading, urllib.parse
        address, port, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        payload = bytes(i % 256 for i in range(300 * 1024))
        held, lock, release = [0], threading.Lock(), threading.Event()

        class Origin(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"
            def log_message(self, *arguments): pass
            def answer(self, status, body=b"", headers=()):
                self.send_response(status)
                for name, value in headers: self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                query = urllib.parse.parse_qs(url.query)
                if url.path == "/plugin.jar":
                    self.answer(200, payload, [("Content-Length", str(len(payload)))])
                elif url.path == "/redirect":
                    self.answer(302, headers=[("Location", query["to"][0])])
                elif url.path == "/loop":
                    self.answer(302, headers=[("Location", "/loop")])
                elif url.path == "/huge":
                    self.answer(200, headers=[("Content-Length", str(1 << 40))])
                elif url.path == "/endless":
                    self.answer(200)
                    for _ in range(256): self.wfile.write(b"x" * (1 << 20))
                elif url.path == "/broken":
                    self.answer(200, b"y" * (100 << 10), [("Content-Length", str(1 << 20))])
                elif url.path == "/hold":
                    with lock: held[0] += 1
                    release.wait(60)
                    self.answer(200, payload, [("Content-Length", str(len(payload)))])
                elif url.path == "/held":
                    self.answer(200, str(held[0]).encode())
                elif url.path == "/release":
                    release.set()
                    self.answer(200, b"released")
                else:
                    self.answer(404, b"no such file")

        server = http.server.ThreadingHTTPServer((address, port), Origin)
        open(ready, "w").close()
        server.serve_forever()
        """#

    /// Runs `body` with the origin listening; removes namespace, link and route afterwards.
    public func serving(_ body: () async throws -> Void) async throws {
        let suffix = String(UUID().uuidString.prefix(6).lowercased())
        let namespace = "berth-test-\(suffix)"
        let outside = "bt\(suffix)h"
        let inside = "bt\(suffix)n"
        let folder = NSTemporaryDirectory() + "berth-origin-\(suffix)"
        defer {
            _ = try? HostShell.run("ip netns pids \(namespace) | xargs -r kill -9")
            _ = try? HostShell.run("ip netns delete \(namespace)")
            _ = try? HostShell.run("ip link delete \(outside)")
            try? FileManager.default.removeItem(atPath: folder)
        }
        try HostShell.run(
            """
            set -e
            ip netns add \(namespace)
            ip link add \(outside) type veth peer name \(inside)
            ip link set \(inside) netns \(namespace)
            ip link set \(outside) up
            ip -n \(namespace) link set lo up
            ip -n \(namespace) addr add \(address)/32 dev \(inside)
            ip -n \(namespace) link set \(inside) up
            ip -n \(namespace) route add default dev \(inside)
            ip route add \(address)/32 dev \(outside)
            """
        )
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Self.program.write(toFile: folder + "/origin.py", atomically: true, encoding: .utf8)
        // nsenter joins the network namespace alone. `ip netns exec` would give the server a mount namespace of
        // its own too, a copy of the host's mounts that keeps other tests' instance disks mounted (and their
        // loop devices held) for as long as it runs, since this machine's mounts do not propagate.
        try HostShell.start("nsenter --net=/run/netns/\(namespace) /usr/bin/python3 \(folder)/origin.py \(address) \(port) \(folder)/ready")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: folder + "/ready") {
            try await Task.sleep(for: .milliseconds(100))
        }
        guard FileManager.default.fileExists(atPath: folder + "/ready") else { throw TestFailure("the test origin did not start") }
        try await body()
    }

    /// What the origin answers at `path`, as this machine reaches it.
    public func ask(_ path: String) throws -> String {
        try HostShell.run("/bin/busybox wget -q -O - \(url)\(path)")
    }
}
