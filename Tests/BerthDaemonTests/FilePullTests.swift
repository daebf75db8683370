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
    /// Not the tenant network tests' stand-in address, nor the panel's tests' origin, whose routes those
    /// tests add meanwhile.
    static let origin = TestOrigin(address: "198.51.100.20")

    static func pull(_ daemon: TestDaemon, _ id: String, _ url: String, folder: String = "/", name: String? = nil) async throws -> HTTPAnswer {
        try await daemon.request(.POST, DaemonRoutes.filePull.path(id: id), body: PullRequest(url: url, folder: folder, name: name))
    }

    @Test("a file is fetched whole into the folder; redirects are checked, and a hostile or broken server saves nothing and escapes nowhere")
    func pulls() async throws {
        let decoy = FileRouteTests.HostDecoy()
        try decoy.make()
        defer { decoy.remove() }
        let before = try decoy.snapshot()
        try await Self.origin.serving {
            try await TestDaemon.with { daemon in
                var specification = TestDaemon.echoSpecification(
                    startup: "cd /home/container; ln -s \(decoy.folder) ext; echo ready; while read line; do echo \"echo:$line\"; done"
                )
                specification.limits.diskMiB = 16
                try await daemon.deployRunning(specification)
                let id = specification.id
                let volume = daemon.configuration.volumesDirectory + "/" + id

                let fetched = try await Self.pull(daemon, id, Self.origin.url + "/plugin.jar", folder: "/plugins")
                #expect(fetched.status == 201, "\(fetched.text)")
                #expect(try fetched.decode(VolumeEntry.self).size == Int64(TestOrigin.payload.count))
                #expect(FileManager.default.contents(atPath: volume + "/plugins/plugin.jar") == TestOrigin.payload)
                var status = stat()
                stat(volume + "/plugins/plugin.jar", &status)
                let owner = try #require(await daemon.daemon.supervisor.records[id]?.hostID)
                #expect(status.st_uid == owner, "the file is the instance's")

                let again = try await Self.pull(daemon, id, Self.origin.url + "/plugin.jar", folder: "/plugins")
                #expect(again.status == 409 && again.error == "/plugins/plugin.jar already exists", "\(again.text)")

                let redirected = try await Self.pull(daemon, id, Self.origin.url + "/redirect?to=/plugin.jar", name: "renamed.jar")
                #expect(redirected.status == 201, "\(redirected.text)")
                #expect(FileManager.default.contents(atPath: volume + "/renamed.jar") == TestOrigin.payload)

                let daemonURL = "http://127.0.0.1:\(daemon.port)/api/instances"
                let refusals: [(url: String, name: String?, status: Int, error: String)] = [
                    (
                        Self.origin.url + "/redirect?to=http://169.254.169.254:8080/", "metadata", 400,
                        "the file would come from http://169.254.169.254:8080/, which is link-local (169.254.169.254, where cloud metadata lives)"
                    ),
                    (
                        Self.origin.url + "/redirect?to=\(daemonURL)", "node", 400,
                        "the file would come from \(daemonURL), which is this node (127.0.0.1)"
                    ),
                    ("http://10.1.2.3/server.jar", nil, 400, "which is on a private network (10.1.2.3)"),
                    ("file:///etc/shadow", nil, 400, "the file would come from file:///etc/shadow, which is not an http(s) URL"),
                    ("gopher://\(Self.origin.address)/x", "x", 400, "which is not an http(s) URL"),
                    (Self.origin.url + "/loop", nil, 502, "redirects more than 5 times; the file was not fetched"),
                    (Self.origin.url + "/missing", nil, 502, "/missing answered 404 Not Found; nothing was saved"),
                    (Self.origin.url + "/huge", nil, 413, "/huge is larger than the"),
                    (Self.origin.url + "/endless", nil, 413, "/endless is larger than the"),
                    (Self.origin.url + "/broken", nil, 502, "/broken broke off after"),
                    (Self.origin.url + "/plugin.jar", "../../etc/x", 400, "name must be a file name, without /"),
                    (Self.origin.url + "/", nil, 400, "name the file: the URL's path does not end in a file name"),
                ]
                let usedBefore = try #require(HostResources.disk(at: volume)).used
                for refusal in refusals {
                    let answer = try await Self.pull(daemon, id, refusal.url, name: refusal.name)
                    #expect(answer.status == refusal.status, "\(refusal.url): \(answer.text)")
                    #expect(answer.error?.contains(refusal.error) == true, "\(refusal.url): \(answer.text)")
                }
                let signed = try await Self.pull(daemon, id, Self.origin.url + "/missing?token=secret")
                #expect(
                    signed.status == 502 && signed.error == "\(Self.origin.url)/missing answered 404 Not Found; nothing was saved",
                    "\(signed.text)"
                )
                let intoLink = try await Self.pull(daemon, id, Self.origin.url + "/plugin.jar", folder: "ext")
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
        try await Self.origin.serving {
            try await TestDaemon.with { daemon in
                let specification = TestDaemon.echoSpecification()
                try await daemon.deployRunning(specification)
                let id = specification.id
                try await withThrowingTaskGroup(of: HTTPAnswer.self) { group in
                    for index in 1...3 {
                        group.addTask { try await Self.pull(daemon, id, Self.origin.url + "/hold", name: "held-\(index)") }
                    }
                    for _ in 0..<100 where try Self.origin.ask("/held") != "3" {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(try Self.origin.ask("/held") == "3")
                    let fourth = try await Self.pull(daemon, id, Self.origin.url + "/plugin.jar")
                    #expect(fourth.status == 409 && fourth.error?.contains("3 downloads are already under way") == true, "\(fourth.text)")
                    #expect(try Self.origin.ask("/release") == "released")
                    for try await answer in group {
                        #expect(answer.status == 201, "\(answer.text)")
                    }
                }
                let afterwards = try await Self.pull(daemon, id, Self.origin.url + "/plugin.jar")
                #expect(afterwards.status == 201, "once they ended, another may start: \(afterwards.text)")
            }
        }
    }
}
