import DockerEngine
import Testing

@Suite("Containers", .timeLimit(.minutes(2)))
struct ContainerTests {
    @Test("limits, ports, labels, environment and privileges are what Docker reports back")
    func createdAsSpecified() async throws {
        try await TestEngine.withEngine { docker in
            // Below Linux's ephemeral range (32768 and up), so no outgoing connection holds it by chance.
            let hostPort = Int.random(in: 31000...32700)
            let hostConfiguration = HostConfiguration(
                memory: 64 << 20,
                memorySwap: 64 << 20,
                nanoCpus: 500_000_000,
                pidsLimit: 64,
                publishedPorts: [
                    PublishedPort(containerPort: 25565, hostPort: hostPort, hostAddress: "127.0.0.1", transport: .tcp),
                    PublishedPort(containerPort: 25565, hostPort: hostPort, hostAddress: "127.0.0.1", transport: .udp),
                ],
                capabilitiesToDrop: ["ALL"],
                securityOptions: ["no-new-privileges"],
                privileged: false,
                networkMode: "bridge"
            )
            try await TestEngine.withContainer(
                docker,
                purpose: "spec",
                command: ["sleep", "60"],
                hostConfiguration: hostConfiguration,
                labels: ["berth.instance": "abc-123"],
                environment: ["SERVER_PORT=\(hostPort)"]
            ) { id, name in
                let inspection = try await docker.inspectContainer(id)
                #expect(inspection.name == name)
                #expect(inspection.hostConfiguration.memory == 64 << 20)
                #expect(inspection.hostConfiguration.nanoCpus == 500_000_000)
                #expect(inspection.hostConfiguration.pidsLimit == 64)
                #expect(inspection.hostConfiguration.privileged == false)
                #expect(inspection.hostConfiguration.capabilitiesToDrop == ["ALL"])
                #expect(inspection.hostConfiguration.securityOptions == ["no-new-privileges"])
                #expect(
                    inspection.hostConfiguration.publishedPorts == [
                        PublishedPort(containerPort: 25565, hostPort: hostPort, hostAddress: "127.0.0.1", transport: .tcp),
                        PublishedPort(containerPort: 25565, hostPort: hostPort, hostAddress: "127.0.0.1", transport: .udp),
                    ]
                )
                #expect(inspection.configuration.labels?["berth.instance"] == "abc-123")
                #expect(inspection.configuration.environment?.contains("SERVER_PORT=\(hostPort)") == true)
                #expect(inspection.state.status == "created")

                try await docker.startContainer(id)
                let running = try await docker.inspectContainer(id)
                #expect(running.state.running)
                let published = running.networkSettings.ports?["25565/tcp"] ?? nil
                #expect(published?.first?.hostPort == String(hostPort))
            }
        }
    }

    @Test("start, stop, restart, kill, wait and remove change the state Docker reports")
    func lifecycle() async throws {
        try await TestEngine.withEngine { docker in
            // `sleep` as PID 1 ignores SIGTERM, so a stop with a timeout must end in a kill.
            try await TestEngine.withContainer(docker, purpose: "life", command: ["sleep", "600"]) { id, _ in
                try await docker.startContainer(id)
                try await docker.startContainer(id)  // starting twice is not an error
                #expect(try await docker.inspectContainer(id).state.running)

                try await docker.stopContainer(id, timeout: .seconds(1))
                let stopped = try await docker.inspectContainer(id).state
                #expect(stopped.running == false)
                #expect(stopped.exitCode == 137)
                try await docker.stopContainer(id, timeout: .seconds(1))  // stopping twice is not an error

                try await docker.restartContainer(id, timeout: .seconds(1))
                #expect(try await docker.inspectContainer(id).state.running)

                try await docker.killContainer(id, signal: "SIGKILL")
                let exit = try await docker.waitForContainer(id)
                #expect(exit.statusCode == 137)
                #expect(try await docker.inspectContainer(id).state.running == false)

                await #expect(throws: DockerEngineError.self) {
                    try await docker.killContainer(id)
                }
                try await docker.removeContainer(id)
                do {
                    _ = try await docker.inspectContainer(id)
                    Issue.record("a removed container can still be inspected")
                } catch let DockerEngineError.notFound(message) {
                    #expect(message.contains(id))
                }
            }
        }
    }

    @Test("a graceful signal lets the process exit with its own code")
    func gracefulSignal() async throws {
        try await TestEngine.withEngine { docker in
            let script = "trap 'exit 42' TERM; echo trapped; while true; do sleep 0.1; done"
            try await TestEngine.withContainer(docker, purpose: "signal", command: ["sh", "-c", script]) { id, _ in
                try await docker.startContainer(id)
                // Signal only once the trap is set (the script says so): as PID 1 without a handler the
                // shell would ignore the TERM, and a busy machine may take any fixed pause to get there.
                for try await chunk in try await docker.containerLogs(id, follow: true) where chunk.text.contains("trapped") {
                    break
                }
                try await docker.killContainer(id, signal: "SIGTERM")
                #expect(try await docker.waitForContainer(id).statusCode == 42)
            }
        }
    }

    @Test("a name in use is a conflict; an unknown id is not found")
    func conflictsAndMissing() async throws {
        try await TestEngine.withEngine { docker in
            try await TestEngine.withContainer(docker, purpose: "dup", command: ["true"]) { _, name in
                do {
                    _ = try await docker.createContainer(named: name, ContainerSpecification(image: TestEngine.image))
                    Issue.record("a second container got the same name")
                } catch let DockerEngineError.conflict(message) {
                    #expect(message.contains(name))
                }
            }
            await #expect(throws: DockerEngineError.notFound(message: "No such container: berth-test-missing")) {
                try await docker.startContainer("berth-test-missing")
            }
            // An id can never reach another route: the slash is escaped, so the engine looks up a container by that name.
            await #expect(throws: DockerEngineError.self) {
                _ = try await docker.inspectContainer("../../images/json")
            }
        }
    }

    @Test("a create whose caller is cancelled either returns the container or leaves none behind")
    func cancelledCreateLeavesNothing() async throws {
        try await TestEngine.withEngine { docker in
            let marker = TestEngine.uniqueName("cancelled")
            let specification = ContainerSpecification(
                image: TestEngine.image,
                command: ["true"],
                labels: [TestEngine.label: "1", "berth.marker": marker]
            )
            // Cancelled at every point from before the request is sent to after Docker answered, so some land
            // while Docker is creating the container for a caller that has stopped listening.
            var returned: Set<String> = []
            for delay in 0..<30 {
                let creation = Task { try await docker.createContainer(specification) }
                try await Task.sleep(for: .milliseconds(delay))
                creation.cancel()
                if let created = try? await creation.value { returned.insert(created.id) }
            }
            // Docker would finish an abandoned create after the caller gave up; give it the time to show.
            try await Task.sleep(for: .seconds(1))
            let left = try await docker.listContainers(labels: ["berth.marker=\(marker)"])
            for container in left { try? await docker.removeContainer(container.id, force: true) }
            #expect(Set(left.map(\.id)) == returned, "every container on the engine is one a caller was given")
        }
    }

    @Test("containers are listed by label")
    func listByLabel() async throws {
        try await TestEngine.withEngine { docker in
            let marker = TestEngine.uniqueName("marker")
            try await TestEngine.withContainer(docker, purpose: "list", command: ["true"], labels: ["berth.marker": marker]) { id, name in
                let listed = try await docker.listContainers(labels: ["berth.marker=\(marker)"])
                #expect(listed.map(\.id) == [id])
                #expect(listed.first?.names == [name])
                #expect(listed.first?.labels["berth.marker"] == marker)
                #expect(try await docker.listContainers(labels: ["berth.marker=\(marker)-other"]).isEmpty)
                #expect(try await docker.listContainers(all: false, labels: ["berth.marker=\(marker)"]).isEmpty)
            }
        }
    }

    @Test("limits change on a live container")
    func updateLimits() async throws {
        try await TestEngine.withEngine { docker in
            try await TestEngine.withContainer(
                docker,
                purpose: "update",
                command: ["sleep", "60"],
                hostConfiguration: HostConfiguration(memory: 64 << 20, memorySwap: 64 << 20, nanoCpus: 500_000_000, pidsLimit: 32)
            ) { id, _ in
                try await docker.startContainer(id)
                try await docker.updateContainer(
                    id,
                    limits: ContainerLimits(memory: 96 << 20, memorySwap: 96 << 20, nanoCpus: 1_500_000_000, pidsLimit: 48)
                )
                let host = try await docker.inspectContainer(id).hostConfiguration
                #expect(host.memory == 96 << 20)
                #expect(host.nanoCpus == 1_500_000_000)
                #expect(host.pidsLimit == 48)
            }
        }
    }

    @Test("the memory limit really applies: a process that allocates past it is killed")
    func memoryLimitApplies() async throws {
        try await TestEngine.withEngine { docker in
            // Writing 64 MiB into a tmpfs counts against the container's memory; the limit is 16 MiB.
            let script = "dd if=/dev/zero of=/dev/shm/fill bs=1M count=64 2>/dev/null; exit $?"
            try await TestEngine.withContainer(
                docker,
                purpose: "oom",
                command: ["sh", "-c", script],
                hostConfiguration: HostConfiguration(memory: 16 << 20, memorySwap: 16 << 20, temporaryFilesystems: ["/dev/shm": "rw,size=128m"])
            ) { id, _ in
                try await docker.startContainer(id)
                let exit = try await docker.waitForContainer(id)
                let state = try await docker.inspectContainer(id).state
                #expect(exit.statusCode == 137 || state.killedForMemory, "the container wrote past its memory limit and exited \(exit.statusCode)")
            }
        }
    }
}
