import BerthProtocol
import BerthTestSupport
import Foundation
import Testing

@testable import BerthDaemon

/// Files fetched from a URL into a volume, from a web server of the test's own in a network namespace at
/// a TEST-NET address (nothing leaves the machine), which answers as a hostile or broken server would:
/// redirects to the metadata address and to the node, endless bodies, lies about sizes, broken
/// connections. The tenant picks the URL, the name and the folder. Serialized: both tests route the one
/// address into a namespace.
@Suite("Files fetched from a URL by the daemon", .serialized, .timeLimit(.minutes(4)))
struct FilePullTests {
    /// Not the tenant network tests' stand-in address, whose route those tests add meanwhile.
    static let address = "198.51.100.20"
    static let port = 8081
    static let origin = "http://\(address):\(port)"

    /// What the origin serves at `/plugin.jar`: 300 KiB of every byte value.
    static let payload = Data((0..<(300 * 1024)).map { UInt8($0 % 256) })

    /// The origin: one Python program answering every case below, started in the namespace.
    static let originProgram = #"""
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

    /// Runs `body` with the origin listening in a namespace of its own, routed from the node.
    static func withOrigin(_ body: () async throws -> Void) async throws {
        let suffix = String(UUID().uuidString.prefix(6).lowercased())
        let namespace = "berth-test-\(suffix)"
        let outside = "bt\(suffix)h"
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
            ip link add \(outside) type veth peer name bt\(suffix)n
            ip link set bt\(suffix)n netns \(namespace)
            ip link set \(outside) up
            ip -n \(namespace) link set lo up
            ip -n \(namespace) addr add \(address)/32 dev bt\(suffix)n
            ip -n \(namespace) link set bt\(suffix)n up
            ip -n \(namespace) route add default dev bt\(suffix)n
            ip route add \(address)/32 dev \(outside)
            """
        )
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try originProgram.write(toFile: folder + "/origin.py", atomically: true, encoding: .utf8)
        try HostShell.start("ip netns exec \(namespace) /usr/bin/python3 \(folder)/origin.py \(address) \(port) \(folder)/ready")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: folder + "/ready") {
            try await Task.sleep(for: .milliseconds(100))
        }
        try #require(FileManager.default.fileExists(atPath: folder + "/ready"), "the origin started")
        try await body()
    }

    static func pull(_ daemon: TestDaemon, _ id: String, _ url: String, folder: String = "/", name: String? = nil) async throws -> HTTPAnswer {
        try await daemon.request(.POST, DaemonRoutes.filePull.path(id: id), body: PullRequest(url: url, folder: folder, name: name))
    }

    /// What the origin says over the namespace's route, as the host reaches it.
    static func ask(_ path: String) throws -> String {
        try HostShell.run("/bin/busybox wget -q -O - \(origin)\(path)")
    }

    @Test("a file is fetched whole into the folder; redirects are checked, and a hostile or broken server saves nothing and escapes nowhere")
    func pulls() async throws {
        let decoy = FileRouteTests.HostDecoy()
        try decoy.make()
        defer { decoy.remove() }
        let before = try decoy.snapshot()
        try await Self.withOrigin {
            try await TestDaemon.with { daemon in
                var specification = TestDaemon.echoSpecification(
                    startup: "cd /home/container; ln -s \(decoy.folder) ext; echo ready; while read line; do echo \"echo:$line\"; done"
                )
                specification.limits.diskMiB = 16
                try await daemon.deployRunning(specification)
                let id = specification.id
                let volume = daemon.configuration.volumesDirectory + "/" + id

                let fetched = try await Self.pull(daemon, id, Self.origin + "/plugin.jar", folder: "/plugins")
                #expect(fetched.status == 201, "\(fetched.text)")
                #expect(try fetched.decode(VolumeEntry.self).size == Int64(Self.payload.count))
                #expect(FileManager.default.contents(atPath: volume + "/plugins/plugin.jar") == Self.payload)
                var status = stat()
                stat(volume + "/plugins/plugin.jar", &status)
                let owner = try #require(await daemon.daemon.supervisor.records[id]?.hostID)
                #expect(status.st_uid == owner, "the file is the instance's")

                let again = try await Self.pull(daemon, id, Self.origin + "/plugin.jar", folder: "/plugins")
                #expect(again.status == 409 && again.error == "/plugins/plugin.jar already exists", "\(again.text)")

                let redirected = try await Self.pull(daemon, id, Self.origin + "/redirect?to=/plugin.jar", name: "renamed.jar")
                #expect(redirected.status == 201, "\(redirected.text)")
                #expect(FileManager.default.contents(atPath: volume + "/renamed.jar") == Self.payload)

                let daemonURL = "http://127.0.0.1:\(daemon.port)/api/instances"
                let refusals: [(url: String, name: String?, status: Int, error: String)] = [
                    (
                        Self.origin + "/redirect?to=http://169.254.169.254:8080/", "metadata", 400,
                        "the file would come from http://169.254.169.254:8080/, which is link-local (169.254.169.254, where cloud metadata lives)"
                    ),
                    (Self.origin + "/redirect?to=\(daemonURL)", "node", 400, "the file would come from \(daemonURL), which is this node (127.0.0.1)"),
                    ("http://10.1.2.3/server.jar", nil, 400, "which is on a private network (10.1.2.3)"),
                    ("file:///etc/shadow", nil, 400, "the file would come from file:///etc/shadow, which is not an http(s) URL"),
                    ("gopher://\(Self.address)/x", "x", 400, "which is not an http(s) URL"),
                    (Self.origin + "/loop", nil, 502, "redirects more than 5 times; the file was not fetched"),
                    (Self.origin + "/missing", nil, 502, "/missing answered 404 Not Found; nothing was saved"),
                    (Self.origin + "/huge", nil, 413, "/huge is larger than the"),
                    (Self.origin + "/endless", nil, 413, "/endless is larger than the"),
                    (Self.origin + "/broken", nil, 502, "/broken broke off after"),
                    (Self.origin + "/plugin.jar", "../../etc/x", 400, "name must be a file name, without /"),
                    (Self.origin + "/", nil, 400, "name the file: the URL's path does not end in a file name"),
                ]
                let usedBefore = try #require(HostResources.disk(at: volume)).used
                for refusal in refusals {
                    let answer = try await Self.pull(daemon, id, refusal.url, name: refusal.name)
                    #expect(answer.status == refusal.status, "\(refusal.url): \(answer.text)")
                    #expect(answer.error?.contains(refusal.error) == true, "\(refusal.url): \(answer.text)")
                }
                let intoLink = try await Self.pull(daemon, id, Self.origin + "/plugin.jar", folder: "ext")
                #expect(intoLink.status == 400 && intoLink.error?.contains("inside the folder") == true, "\(intoLink.text)")

                let left = try FileManager.default.contentsOfDirectory(atPath: volume).sorted()
                #expect(left == ["ext", "plugins", "renamed.jar"], "nothing else was saved, not even in part")
                #expect(try FileManager.default.contentsOfDirectory(atPath: volume + "/plugins") == ["plugin.jar"])
                let usedAfter = try #require(HostResources.disk(at: volume)).used
                #expect(usedAfter - usedBefore < 1 << 20, "the refused bodies took no room: \(usedBefore) → \(usedAfter)")
            }
        }
        #expect(try decoy.snapshot() == before, "the host's files are as they were")
    }

    @Test("an instance has at most three fetches under way; a fourth is refused until one ends")
    func fetchesUnderWay() async throws {
        try await Self.withOrigin {
            try await TestDaemon.with { daemon in
                let specification = TestDaemon.echoSpecification()
                try await daemon.deployRunning(specification)
                let id = specification.id
                try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
                    for index in 1...3 {
                        group.addTask { try await Self.pull(daemon, id, Self.origin + "/hold", name: "held-\(index)") }
                    }
                    for _ in 0..<100 where try Self.ask("/held") != "3" {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(try Self.ask("/held") == "3")
                    let fourth = try await Self.pull(daemon, id, Self.origin + "/plugin.jar")
                    #expect(fourth.status == 409 && fourth.error?.contains("3 downloads are already under way") == true, "\(fourth.text)")
                    #expect(try Self.ask("/release") == "released")
                    for try await answer in group {
                        #expect(answer.status == 201, "\(answer.text)")
                    }
                }
                let afterwards = try await Self.pull(daemon, id, Self.origin + "/plugin.jar")
                #expect(afterwards.status == 201, "once they ended, another may start: \(afterwards.text)")
            }
        }
    }
}
