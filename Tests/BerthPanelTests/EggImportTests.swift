import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel

@Suite("Pterodactyl eggs become images")
struct EggImportTests {
    /// The stored definition of the image named `name`.
    static func definition(_ name: String, in panel: Panel) async throws -> ImageDefinition {
        let image = try #require(try await panel.images.all().first { $0.name == name }, "no image \(name)")
        return try JSONDecoder().decode(ImageDefinition.self, from: Data(image.definition.utf8))
    }

    @Test("the eight real eggs import, and each becomes what its egg says")
    func realEggs() async throws {
        try await InProcessPanel.with { panel in
            let directory = try EggFixtures.directory
            var names: [String] = []
            for (file, _) in try EggFixtures.all() {
                names.append(try await panel.panel.importImage(at: directory + "/" + file))
            }
            #expect(names.count == 8)
            #expect(try await panel.request(.GET, "/api/images").array.count == 8)

            let paper = try await Self.definition("Paper", in: panel.panel)
            #expect(paper.image == "ghcr.io/ptero-eggs/yolks:java_25", "the newest Java first")
            #expect(paper.altImages?.contains("ghcr.io/ptero-eggs/yolks:java_21") == true && paper.altImages?.count == 6)
            #expect(paper.imageLabels?["ghcr.io/ptero-eggs/yolks:java_8"] == "Java 8")
            #expect(paper.ready == .one(")! For help, type "))
            #expect(paper.stopCommand == "stop" && paper.stopSignal == nil)
            #expect(paper.install?.image == "ghcr.io/ptero-eggs/installers:alpine" && paper.install?.entrypoint == "ash")
            #expect(paper.install?.script.contains("\r") == false, "Windows line ends are gone")
            #expect(paper.features == ["eula", "java_version", "pid_limit"])
            #expect(paper.asksForEULA && paper.offersJavaVersions)
            #expect(paper.label(ofDockerImage: "ghcr.io/ptero-eggs/yolks:java_21") == "Java 21 (ghcr.io/ptero-eggs/yolks:java_21)")
            #expect(paper.startup?.hasPrefix("java -Xms128M") == true)
            let jar = try #require(paper.variables?["SERVER_JARFILE"])
            #expect(jar.name == "Server Jar File" && jar.default == "server.jar")
            #expect(try jar.checkedRules().problem(with: "../x", name: "SERVER_JARFILE") != nil)
            let properties = try #require(paper.configFiles?["server.properties"])
            #expect(properties.parser == "properties")
            #expect(properties.find["server-port"] == "{{server.build.default.port}}")
            #expect(paper.runtime(dockerImage: paper.image).install?.entrypoint == "ash")

            let satisfactory = try await Self.definition("Satisfactory", in: panel.panel)
            #expect(satisfactory.stopSignal == "SIGINT" && satisfactory.stopCommand == nil, "^C is SIGINT")
            #expect(!satisfactory.asksForEULA && !satisfactory.offersJavaVersions)
            #expect(satisfactory.runtime(dockerImage: satisfactory.image).stop == .signal("SIGINT"))
            let openTTD = try #require(try await panel.panel.images.all().first { $0.name.contains("OpenTTD") })
            let openTTDDefinition = try JSONDecoder().decode(ImageDefinition.self, from: Data(openTTD.definition.utf8))
            #expect(openTTDDefinition.configFiles?["openttd.cfg"]?.find["network.lan_internet"] == "0", "a number in find becomes text")
            #expect(openTTDDefinition.configFiles?["openttd.cfg"]?.parser == "ini")
            let fortress = try #require(try await panel.panel.images.all().first { $0.name.contains("Team Fortress") })
            #expect(fortress.definition.contains(#""Parser":"file""#))
        }
    }

    /// Writes a small egg of the test's own and imports it.
    static func importEgg(_ json: String, into panel: Panel) async throws -> String {
        let file = NSTemporaryDirectory() + "berth-egg-\(UUID().uuidString).json"
        try Data(json.utf8).write(to: URL(fileURLWithPath: file))
        return try await panel.importImage(at: file)
    }

    @Test("what the eight lack: PTDL_v1's image list, a done list, the yaml, json and xml parsers; and what is refused")
    func smallEggs() async throws {
        try await InProcessPanel.with { panel in
            _ = try await Self.importEgg(
                #"""
                {"meta": {"version": "PTDL_v1"}, "name": "Old", "images": ["busybox:1", "busybox:2"], "startup": "./run",
                 "config": {"startup": "{\"done\": [\"Server started\", \"Listening\"]}", "stop": "quit",
                  "files": "{\"a.yml\": {\"parser\": \"yaml\", \"find\": {\"server.port\": \"{{server.build.default.port}}\"}}, \"b.json\": {\"parser\": \"json\", \"find\": {\"port\": 1}}, \"c.xml\": {\"parser\": \"xml\", \"find\": {\"config.port\": \"x\"}}}"},
                 "scripts": {"installation": {"script": "echo hi\r\n", "container": "busybox:1", "entrypoint": "sh"}},
                 "variables": [{"name": "Port", "env_variable": "GAME_PORT", "default_value": 7777, "user_viewable": 1, "user_editable": 0, "rules": "required|integer"}]}
                """#,
                into: panel.panel
            )
            let old = try await Self.definition("Old", in: panel.panel)
            #expect(old.image == "busybox:1" && old.altImages == ["busybox:2"])
            #expect(old.ready == .any(["Server started", "Listening"]))
            let runtime = old.runtime(dockerImage: old.image)
            #expect(runtime.allReadyPatterns == ["Server started", "Listening"])
            #expect(old.configFiles?.mapValues(\.parser) == ["a.yml": "yaml", "b.json": "json", "c.xml": "xml"])
            #expect(old.configFiles?["b.json"]?.find["port"] == "1")
            #expect(old.install?.script == "echo hi\n")
            let port = try #require(old.variables?["GAME_PORT"])
            #expect(port.default == "7777" && port.isUserViewable && !port.isUserEditable)

            for (egg, problem) in [
                (
                    #"{"meta": {"version": "PTDL_v2"}, "name": "T", "docker_images": {"a": "busybox"}, "startup": "x", "config": {"files": "{\"x.toml\": {\"parser\": \"toml\", \"find\": {}}}"}}"#,
                    "ConfigFiles: x.toml has the parser toml; parsers are file, ini, json, properties, xml, yaml"
                ),
                (
                    #"{"meta": {"version": "PTDL_v2"}, "name": "T", "docker_images": {"a": "busybox"}, "startup": "x", "config": {"files": "{\"../../etc/shadow\": {\"parser\": \"file\", \"find\": {}}}"}}"#,
                    "ConfigFiles: ../../etc/shadow must be a path inside the volume"
                ),
                (
                    #"{"meta": {"version": "PTDL_v2"}, "name": "T", "docker_images": {"a": "busybox"}, "startup": "x", "config": {}, "scripts": {"installation": {"script": "x", "entrypoint": "bash; reboot"}}}"#,
                    "Install.Entrypoint must be a program, such as bash or /bin/ash"
                ),
                (
                    #"{"meta": {"version": "PTDL_v2"}, "name": "T", "docker_images": {}, "startup": "x", "config": {}}"#,
                    "the egg T names no Docker image"
                ),
                (
                    #"{"meta": {"version": "PTDL_v2"}, "name": "T", "docker_images": {"a": "busybox"}, "startup": "x", "config": {"startup": "done"}}"#,
                    "the egg T: config.startup is not JSON with a done text"
                ),
                (
                    #"{"meta": {"version": "PTDL_v2"}, "name": "T", "docker_images": {"a": "busybox"}, "startup": "x", "config": {}, "variables": [{"name": "N", "env_variable": "N", "rules": "between:1"}]}"#,
                    "Variables.N: the rule between:1 needs two bounds"
                ),
            ] {
                do {
                    _ = try await Self.importEgg(egg, into: panel.panel)
                    Issue.record("imported: \(egg)")
                } catch {
                    #expect("\(error)".hasSuffix(problem), "\(error)")
                }
            }
            #expect(try await panel.request(.GET, "/api/images").array.count == 1, "nothing refused was kept")
        }
    }
}
