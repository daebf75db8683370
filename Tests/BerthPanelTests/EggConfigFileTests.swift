import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel

@Suite("An egg's configuration files, applied before start", .timeLimit(.minutes(3)))
struct EggConfigFileTests {
    @Test("the Paper egg waits for its EULA, then its server.properties gets the instance's port before start, and a planted link stays harmless")
    func paperProperties() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let node = try #require(panel.node)
            // The host file a tenant would like to overwrite.
            let decoy = NSTemporaryDirectory() + "berth-host-decoy-\(UUID().uuidString.prefix(8))"
            try Data("host file\n".utf8).write(to: URL(fileURLWithPath: decoy))
            defer { try? FileManager.default.removeItem(atPath: decoy) }

            // The real Paper egg, with its images swapped for the local busybox (no registry is reachable)
            // and its download-only install script for one that leaves the files the game would: a
            // server.properties, and a link of the tenant's own making to the host file. The egg's
            // config.files, variables and rules are its own.
            var egg = try #require(try EggFixtures.all().first { $0.0 == "egg-paper.json" }?.1)
            egg["docker_images"] = ["Busybox": TestImage.name]
            egg["startup"] = "echo ')! For help, type '; while read line; do [ \"$line\" = stop ] && exit 0; done"
            egg["scripts"] = [
                "installation": [
                    "container": TestImage.name, "entrypoint": "sh",
                    "script":
                        "cd /mnt/server && printf 'motd=A Minecraft Server\\nserver-port=25565\\n' > server.properties && ln -s \(decoy) banned-ips.json",
                ]
            ]
            var config = try #require(egg["config"] as? [String: Any])
            var files = try #require(try JSONSerialization.jsonObject(with: Data((config["files"] as? String ?? "").utf8)) as? [String: Any])
            files["banned-ips.json"] = ["parser": "json", "find": ["port": "{{server.build.default.port}}"]]
            config["files"] = String(decoding: try JSONSerialization.data(withJSONObject: files), as: UTF8.self)
            egg["config"] = config
            let file = NSTemporaryDirectory() + "berth-paper-\(UUID().uuidString.prefix(8)).json"
            try JSONSerialization.data(withJSONObject: egg).write(to: URL(fileURLWithPath: file))
            #expect(try await panel.panel.importImage(at: file) == "Paper")

            let owner = try await panel.createUser("owner")
            let range = TestPorts.range(1)
            _ = try await panel.request(.PATCH, "/api/v1/nodes/\(node.id)", ["portRanges": "\(range.lowerBound)"])
            let deployed = try await panel.request(
                .POST,
                "/api/instances/deploy",
                ["image": TestImage.name, "imagename": "Paper", "memory": "128M", "cpu": 0.5, "nodeId": node.id, "name": "paper", "user": owner]
            )
            #expect(deployed.status == 201, "\(deployed.text)")
            let id = try #require(deployed.object["Id"] as? String)

            // The egg's `eula` feature: installed, and off until the owner accepts the EULA.
            let installed = try await panel.waitFor(id, "installed") { $0["InternalState"] as? String == "READY" }
            #expect(installed["PowerState"] as? String == "offline", "a deploy's start waits for the EULA")
            let refused = try await panel.request(.POST, "/api/v1/instances/\(id)/power", ["action": "start"])
            #expect(refused.status == 409 && refused.error == InstanceStore.eulaRefusal, "\(refused.text)")
            let browser = panel.browser()
            #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
            #expect(try await browser.get("/instances/\(id)").text.contains(#"id="eula-form""#))
            #expect(try await browser.post("/instances/\(id)/eula").location == "/instances/\(id)")
            #expect(!(try await browser.get("/instances/\(id)").text.contains(#"id="eula""#)), "accepted once, asked no more")
            #expect(try await panel.request(.POST, "/api/v1/instances/\(id)/power", ["action": "start"]).status == 202)
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }

            let volume = panel.dataDirectory + "/node/volumes/" + id
            let properties = try String(contentsOfFile: volume + "/server.properties", encoding: .utf8)
            #expect(properties.contains("server-port=\(range.lowerBound)\n"), "\(properties)")
            #expect(properties.contains("query.port=\(range.lowerBound)\n") && properties.contains("server-ip=0.0.0.0\n"))
            #expect(properties.contains("motd=A Minecraft Server\n"), "the rest of the file is kept")
            #expect(
                try String(contentsOfFile: volume + "/eula.txt", encoding: .utf8).contains("eula=true"),
                "the acceptance is written for the server"
            )
            #expect(try String(contentsOfFile: decoy, encoding: .utf8) == "host file\n", "the host file behind the tenant's link is untouched")
            let banned = try FileManager.default.attributesOfItem(atPath: volume + "/banned-ips.json")
            #expect(banned[.type] as? FileAttributeType == .typeRegular, "the link was replaced by the volume's own file")
            let attributes = try FileManager.default.attributesOfItem(atPath: volume + "/server.properties")
            #expect((attributes[.ownerAccountID] as? Int ?? 0) != 0, "the edited file belongs to the instance, not root")
        }
    }
}
