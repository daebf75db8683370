import BerthProtocol
import Foundation
import Testing

/// The panel ⇄ node wire formats, pinned by fixtures: a change of a field name or an encoding shows here
/// before a panel and a node of different builds stop understanding each other (or a daemon its own
/// state file, which keeps specifications in this shape).
@Suite("Wire formats")
struct WireFormatTests {
    static func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return try Data(contentsOf: url)
    }

    /// Both as JSON values, so key order and spacing do not matter.
    static func sameJSON(_ encoded: Data, _ fixture: Data) throws -> Bool {
        let left = try JSONSerialization.jsonObject(with: encoded) as? NSDictionary
        let right = try JSONSerialization.jsonObject(with: fixture) as? NSDictionary
        return left != nil && left == right
    }

    let specification = InstanceSpecification(
        id: "0b7c4e2a-2f8e-4c1e-9a53-7f1d2a3b4c5d",
        name: "Survival",
        image: RuntimeImage(
            dockerImage: "berth-test/busybox:latest",
            startup: "java -Xmx{{SERVER_MEMORY}}M -jar server.jar",
            environment: ["EULA": "true"],
            install: InstallScript(dockerImage: "berth-test/busybox:latest", script: "echo installed > /mnt/server/done"),
            readyPattern: #"Done \("#,
            stop: .command("stop"),
            stopTimeoutSeconds: 30
        ),
        limits: ResourceLimits(memoryMiB: 1024, cpuCores: 1.5),
        ports: [PortMapping(hostPort: 25565, containerPort: 25565), PortMapping(hostPort: 28080, containerPort: 8080)],
        primaryPort: 25565,
        variables: ["SERVER_MEMORY": "1024"]
    )

    @Test("an instance specification reads and writes the fixture's shape")
    func specificationShape() throws {
        let fixture = try Self.fixture("instance-specification")
        #expect(try JSONDecoder().decode(InstanceSpecification.self, from: fixture) == specification)
        #expect(try Self.sameJSON(JSONEncoder().encode(specification), fixture))
        #expect(specification.problem == nil)
        #expect(specification.primaryMapping == PortMapping(hostPort: 25565, containerPort: 25565))
    }

    @Test("an event batch reads and writes the fixture's shape")
    func eventBatchShape() throws {
        let fixture = try Self.fixture("instance-event-batch")
        let batch = InstanceEventBatch(events: [
            InstanceEvent(
                sequence: 1_764_508_800_123,
                status: InstanceStatus(
                    id: "0b7c4e2a-2f8e-4c1e-9a53-7f1d2a3b4c5d",
                    installState: .ready,
                    powerState: .crashed,
                    suspended: false,
                    containerID: "4f1c0de2",
                    reason: "crashed (exit code 137); restarting",
                    lastExitCode: 137
                ),
                time: 1_764_508_800_123
            )
        ])
        #expect(try JSONDecoder().decode(InstanceEventBatch.self, from: fixture) == batch)
        #expect(try Self.sameJSON(JSONEncoder().encode(batch), fixture))
    }

    @Test("console token claims use the short JWT names")
    func consoleTokenClaims() throws {
        let claims = ConsoleTokenClaims(instanceID: "abc", subject: "alice", expires: 1_764_508_800)
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(claims)) as? [String: Any])
        #expect(json["scope"] as? String == "console")
        #expect(json["instance"] as? String == "abc")
        #expect(json["sub"] as? String == "alice")
        #expect(json["exp"] as? Int == 1_764_508_800)
    }

    @Test("a route path fills in the instance id and keeps the pattern for the router")
    func routePaths() {
        #expect(DaemonRoutes.power.path(id: "abc") == "/api/instances/abc/power")
        #expect(DaemonRoutes.power.pattern == "/api/instances/:id/power")
        #expect(PanelRemoteRoutes.events.pattern == "/api/remote/events")
    }
}
