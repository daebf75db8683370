import BerthHTTP
import Foundation
import NIOHTTP1
import Testing

@Suite("Nodes and images", .timeLimit(.minutes(2)))
struct NodeAndImageTests {
    @Test("nodes/create answers 201 with the node and its configuration command; the token never shows again")
    func createListDelete() async throws {
        try await InProcessPanel.with { panel in
            let created = try await panel.request(
                .POST,
                "/api/nodes/create",
                [
                    "name": "eu-1", "tags": "eu", "ram": "16G", "disk": "200GB", "processor": "8", "address": "10.0.0.5", "port": "3002",
                ]
            )
            #expect(created.status == 201)
            let node = try #require(created.object["Message"] as? [String: Any])
            #expect(node["ram"] as? Int == 16384)
            #expect(node["disk"] as? Int == 204800)
            #expect(node["status"] as? String == "offline")
            let command = try #require(created.object["configureCommand"] as? String)
            // The token reaches the node through standard input, never its command line.
            #expect(command.hasSuffix(" | berth daemon configure --panel http://127.0.0.1:3001 --token-file -"), "\(command)")
            let token = try #require(command.split(separator: " ").dropFirst().first.map(String.init))
            let credentials = try #require(NodeCredentials(token: token))
            #expect(credentials.toNode.count == 64 && credentials.toPanel.count == 64 && credentials.toNode != credentials.toPanel)

            let list = try await panel.request(.GET, "/api/nodes")
            #expect(list.status == 200)
            #expect(list.array.count == 1)
            #expect(!list.text.contains(credentials.toNode) && !list.text.contains(credentials.toPanel), "the node's secrets are never listed")

            let bad = try await panel.request(
                .POST,
                "/api/nodes/create",
                ["name": "x", "ram": "1G", "disk": "1G", "processor": "1", "address": "evil.com/path?", "port": "3002"]
            )
            #expect(bad.status == 400)
            #expect(bad.error == "address must be a host name or an IP address")
            #expect(
                try await panel.request(
                    .POST,
                    "/api/nodes/create",
                    ["name": "x", "ram": "lots", "disk": "1G", "processor": "1", "address": "a", "port": "1"]
                ).error
                    == "ram must be a size such as 512, \"512MB\" or \"2G\""
            )

            let id = try #require(node["id"] as? String)
            #expect(try await panel.request(.DELETE, "/api/nodes/delete", ["nodeId": "not-a-node"]).status == 400)
            let deleted = try await panel.request(.DELETE, "/api/nodes/delete", ["nodeId": id])
            #expect(deleted.status == 201)
            #expect(try await panel.request(.GET, "/api/nodes").array.isEmpty)
        }
    }

    @Test("images are imported from JSON and listed as their definitions")
    func images() async throws {
        try await InProcessPanel.with { panel in
            let file = NSTemporaryDirectory() + "berth-image-\(UUID().uuidString).json"
            try Data(#"{"Name": "Echo", "Image": "berth-test/busybox:latest", "Env": ["A=1"], "StopCommand": "stop", "features": ["eula"]}"#.utf8)
                .write(to: URL(fileURLWithPath: file))
            #expect(try await panel.panel.importImage(at: file) == "Echo")
            let listed = try await panel.request(.GET, "/api/images")
            #expect(listed.status == 200)
            #expect(listed.array.count == 1)
            #expect(listed.array.first?["Name"] as? String == "Echo")
            #expect(listed.array.first?["StopCommand"] as? String == "stop")
            #expect((listed.array.first?["Id"] as? String)?.count == 36)

            // One fault per definition, so each check is shown to work on its own.
            let refused: [(definition: String, problem: String)] = [
                (#"{"Name": "Bad", "Image": "x", "Scripts": {"Install": [{"Uri": "file:///etc/passwd", "Path": "x"}]}}"#, "is not an http(s) URL"),
                (
                    #"{"Name": "Bad", "Image": "x", "Scripts": {"Install": [{"Uri": "https://a.example/x", "Path": "../../x"}]}}"#,
                    "must stay inside the volume"
                ),
                (
                    #"{"Name": "Bad", "Image": "x", "Scripts": {"Install": [{"Uri": "https://a.example/x", "Path": "/etc/x"}]}}"#,
                    "must stay inside the volume"
                ),
                (#"{"Name": "Bad", "Image": "../containers/x"}"#, "Image must be a Docker image reference"),
                (#"{"Name": "Bad", "Image": "x", "AltImages": ["a/../b"]}"#, "AltImages: a/../b is not a Docker image reference"),
            ]
            for (definition, problem) in refused {
                try Data(definition.utf8).write(to: URL(fileURLWithPath: file))
                do {
                    _ = try await panel.panel.importImage(at: file)
                    Issue.record("\(definition) was imported")
                } catch {
                    #expect(String(describing: error).contains(problem), "\(definition): \(error)")
                }
            }
            #expect(try await panel.request(.GET, "/api/images").array.count == 1)
        }
    }

    @Test("a node cannot be put where the panel must never call: unspecified, link-local and metadata addresses, or loopback by default")
    func refusedAddresses() async throws {
        try await InProcessPanel.with { panel in
            let refused: [(String, String)] = [
                ("0.0.0.0", "is not a host the panel can reach"), ("::", "is not a host the panel can reach"),
                ("0.1.2.3", "is not a host the panel can reach"),
                ("169.254.169.254", "is link-local"), ("169.254.1.1", "is link-local"), ("fe80::1", "is link-local"),
                ("fd00:ec2::254", "is link-local"), ("::ffff:169.254.169.254", "is link-local"),
                ("127.0.0.1", "is this machine"), ("127.1.2.3", "is this machine"), ("::1", "is this machine"),
                ("localhost", "is this machine"), ("LOCALHOST", "is this machine"), ("::ffff:127.0.0.1", "is this machine"),
                // IPv4 shorthand, which the system resolver reads as the address it names.
                ("127.1", "written as four decimal numbers"), ("2130706433", "written as four decimal numbers"),
                ("0x7f.1", "written as four decimal numbers"), ("169.254.43518", "written as four decimal numbers"),
                ("0251.0376.0251.0376", "written as four decimal numbers"), ("0", "written as four decimal numbers"),
            ]
            for (address, problem) in refused {
                let answer = try await panel.request(
                    .POST,
                    "/api/nodes/create",
                    ["name": "n", "ram": "1G", "disk": "1G", "processor": "1", "address": address, "port": "3002"]
                )
                #expect(answer.status == 400, "\(address)")
                #expect(answer.error?.contains(problem) == true, "\(address): \(answer.error ?? "")")
            }
            #expect(try await panel.request(.GET, "/api/nodes").array.isEmpty, "no refused node was created")
            let ordinary = try await panel.request(
                .POST,
                "/api/nodes/create",
                ["name": "n", "ram": "1G", "disk": "1G", "processor": "1", "address": "node-1.example.net", "port": "3002"]
            )
            #expect(ordinary.status == 201)
        }
    }
}
