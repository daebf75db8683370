import BerthProtocol
import Testing

/// What a daemon refuses to run, whoever sent it: the rules every specification must meet.
@Suite("Specification rules")
struct SpecificationRuleTests {
    func specification(
        id: String = "abc",
        ports: [PortMapping] = [PortMapping(hostPort: 25565, containerPort: 25565)],
        primaryPort: Int? = nil,
        variables: [String: String] = [:],
        image: RuntimeImage? = nil,
        limits: ResourceLimits = ResourceLimits(memoryMiB: 256, cpuCores: 1)
    ) -> InstanceSpecification {
        InstanceSpecification(
            id: id,
            name: "test",
            image: image ?? RuntimeImage(dockerImage: "berth-test/busybox:latest"),
            limits: limits,
            ports: ports,
            primaryPort: primaryPort,
            variables: variables
        )
    }

    @Test(
        "ids that could name another container or a path are refused",
        arguments: ["", "../etc", "-abc", "a/b", "a b", String(repeating: "a", count: 65)]
    )
    func badIdentifiers(id: String) {
        #expect(specification(id: id).problem?.hasPrefix("id must be") == true)
    }

    @Test("ports outside 1-65535, a host port twice, or a primary port not among them are refused")
    func ports() {
        #expect(specification(ports: [PortMapping(hostPort: 0, containerPort: 80)]).problem == "port 80:0 is outside 1-65535")
        #expect(
            specification(ports: [PortMapping(hostPort: 80, containerPort: 80), PortMapping(hostPort: 80, containerPort: 81)])
                .problem == "a host port appears twice in ports"
        )
        #expect(specification(primaryPort: 1).problem == "primaryPort 1 is not one of the instance's ports")
    }

    @Test("variable names must be environment variable names")
    func variableNames() {
        #expect(specification(variables: ["GOOD_NAME": "x"]).problem == nil)
        #expect(specification(variables: ["BAD=NAME": "x"]).problem?.contains("BAD=NAME") == true)
    }

    @Test("limits, stop signals and capabilities are checked")
    func imageAndLimits() {
        #expect(specification(limits: ResourceLimits(memoryMiB: 1, cpuCores: 1)).problem == "memory must be at least 6 MiB")
        let badSignal = RuntimeImage(dockerImage: "x", stop: .signal("SIGSTOP"))
        #expect(specification(image: badSignal).problem != nil)
        let badCapability = RuntimeImage(dockerImage: "x", capabilities: ["SYS_ADMIN"])
        #expect(specification(image: badCapability).problem == "capability SYS_ADMIN cannot be granted to an instance")
    }

    @Test("placeholders naming valid variables are replaced; anything else is kept as text")
    func placeholders() {
        let text = "java -Xmx{{SERVER_MEMORY}}M {{ bad name }} {{unclosed"
        let rewritten = VariablePlaceholders.rewrite(text, variable: { "$\($0)" })
        #expect(rewritten == "java -Xmx$SERVER_MEMORYM {{ bad name }} {{unclosed")
    }

    @Test(
        "image references follow Docker's grammar",
        arguments: [
            ("berth-test/busybox:latest", true), ("ghcr.io/pterodactyl/yolks:java_21", true), ("localhost:5000/a/b", true),
            ("busybox@sha256:" + String(repeating: "a", count: 64), true), ("Busybox:latest", false),
            ("../containers/x", false), ("a/../b", false), ("a b", false), ("a;id", false), ("--privileged", false), ("", false),
        ]
    )
    func imageReferences(reference: String, valid: Bool) {
        #expect(ImageReference.isValid(reference) == valid)
        #expect((specification(image: RuntimeImage(dockerImage: reference)).problem == nil) == valid)
    }
}
