import BerthProtocol
import BerthTestSupport
import DockerEngine
import Foundation
import Testing

@testable import BerthDaemon

/// What a tenant's container may and may not do with what the tenant controls, on real containers.
@Suite("Tenant containers", .timeLimit(.minutes(3)))
struct TenantContainerTests {
    @Test("the instance's user can write /tmp although the image's /tmp is 0755; its logs are bounded")
    func temporaryFilesAndLogs() async throws {
        try await TestDaemon.with { daemon in
            // The test image's /tmp is 0755 and root's (scripts/lib/docker.sh), as in many locally built images.
            let specification = TestDaemon.echoSpecification(
                startup: #"touch /tmp/x && echo tmp-ok || echo tmp-refused; while read line; do echo "echo:$line"; done"#,
                readyPattern: "tmp-ok"
            )
            let running = try await daemon.deployRunning(specification)
            let inspection = try await daemon.docker.inspectContainer(try #require(running.containerID))
            let user = try #require(inspection.configuration.user)
            #expect(inspection.hostConfiguration.temporaryFilesystems?["/tmp"]?.contains("uid=\(user.prefix { $0 != ":" }),") == true)
            let logs = try #require(inspection.hostConfiguration.logConfiguration)
            #expect(logs.type == "local")
            #expect(logs.options["max-size"] == "10m" && logs.options["max-file"] == "3")
            try await daemon.request(.DELETE, "/api/instances/\(specification.id)")
        }
    }

    @Test("a fork bomb stops at the pids limit and a busy loop is throttled to its CPU share, as the kernel counts them")
    func forkBombAndBusyLoop() async throws {
        try await TestDaemon.with { daemon in
            // The counts come from the container's own cgroup (v1 or v2), read with shell builtins only: once
            // the bomb has taken every pid, nothing can fork until its sleeps end.
            let script = #"""
                if [ -r /sys/fs/cgroup/pids.max ]; then p=/sys/fs/cgroup; else p=/sys/fs/cgroup/pids; fi
                ( while :; do sleep 2 & done ) 2>/dev/null
                read current < $p/pids.current; read limit < $p/pids.max; echo "pids:$current/$limit"
                while read c < $p/pids.current; [ "$c" -gt 4 ]; do :; done
                if [ -r /sys/fs/cgroup/cpu.stat ]; then s=/sys/fs/cgroup/cpu.stat; else s=/sys/fs/cgroup/cpu/cpu.stat; fi
                (while :; do :; done) &
                n=0; t=0
                while [ "$n" = 0 ] && [ $t -lt 100 ]; do sleep 0.1; while read k v; do [ "$k" = nr_throttled ] && n=$v; done < $s; t=$((t+1)); done
                kill $!
                echo "throttled:$n"; echo ready
                while read line; do echo "echo:$line"; done
                """#
            let specification = TestDaemon.echoSpecification(startup: script)
            try await daemon.deployRunning(specification)
            let messages = try await daemon.withConsole(specification.id, send: [ConsoleRequest(event: .command, data: "still here")]) {
                $0.output.contains("echo:still here")
            }
            let output = messages.output
            let pids = try #require(output.split(separator: "\n").first { $0.hasPrefix("pids:") }, "\(output)")
            let counts = pids.dropFirst("pids:".count).split(separator: "/").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            #expect(counts.count == 2 && counts[1] == 64 && counts[0] <= 64 && counts[0] > 8, "the bomb filled the limit and no more: \(pids)")
            let throttled = try #require(output.split(separator: "\n").first { $0.hasPrefix("throttled:") }, "\(output)")
            #expect((Int(throttled.dropFirst("throttled:".count).trimmingCharacters(in: .whitespaces)) ?? 0) > 0, "\(throttled)")
            #expect(try await daemon.status(of: specification.id).powerState == .running, "the instance survived its own bomb")
            try await daemon.request(.DELETE, "/api/instances/\(specification.id)")
        }
    }

    @Test(
        "a tenant cannot take its files out of its disk quota: the ioctls that change project ids and inode flags are refused, whatever their high bits, where the engine's own profile lets them through; 32-bit programs run"
    )
    func fileAttributesStayAsTheNodeSetThem() async throws {
        try await TestDaemon.with { daemon in
            let probes = ["getflags", "getxattr", "setflags", "setflags-high", "setproject", "setproject-high"]
            let probing =
                "touch probed; { " + probes.map { "fileattr-probe \($0) probed;" }.joined(separator: " ")
                + " i386-probe; } > .probes; mv .probes probes.txt"
            let specification = TestDaemon.echoSpecification(startup: probing + #"; echo ready; while read line; do echo "echo:$line"; done"#)
            let running = try await daemon.deployRunning(specification)
            let volume = daemon.configuration.volumesDirectory + "/" + specification.id
            let output = try await daemon.waitForFile(volume + "/probes.txt")
            #expect(output.contains("32-bit ok"), "a 32-bit program (SteamCMD is one) makes its calls: \(output)")
            let refused = Self.errors(in: output)
            let inspection = try await daemon.docker.inspectContainer(try #require(running.containerID))
            let user = try #require(inspection.configuration.user)

            // The same program, as the same user on the same files, under the engine's default profile.
            let control = try await daemon.docker.createContainer(
                ContainerSpecification(
                    image: TestImage.name,
                    command: ["/bin/sh", "-c", probes.map { "fileattr-probe \($0) probed" }.joined(separator: "; ")],
                    labels: ["berth.test": "seccomp-control"],
                    workingDirectory: "/home/container",
                    user: user,
                    hostConfiguration: HostConfiguration(binds: ["\(volume):/home/container"], networkMode: "none")
                )
            )
            defer { Task { try? await daemon.docker.removeContainer(control.id, force: true) } }
            try await daemon.docker.startContainer(control.id)
            _ = try await daemon.docker.waitForContainer(control.id)
            var controlOutput = ""
            for try await chunk in try await daemon.docker.containerLogs(control.id, follow: false) { controlOutput += chunk.text }
            let allowed = Self.errors(in: controlOutput)

            for probe in probes where probe.hasPrefix("set") {
                #expect(refused[probe] == Int(EPERM), "\(probe) in the instance: \(refused)")
                #expect(
                    allowed[probe] != nil && allowed[probe] != Int(EPERM),
                    "\(probe) under the engine's profile reaches the file system: \(allowed)"
                )
            }
            for probe in probes where probe.hasPrefix("get") {
                #expect(refused[probe] != nil && refused[probe] == allowed[probe], "\(probe) is left alone: \(refused) against \(allowed)")
            }
            try await daemon.request(.DELETE, "/api/instances/\(specification.id)")
        }
    }

    /// fileattr-probe's lines, "probe errno", by probe.
    static func errors(in output: String) -> [String: Int] {
        Dictionary(
            output.split(separator: "\n").compactMap { line in
                let parts = line.split(separator: " ")
                guard parts.count == 2, let errno = Int(parts[1]) else { return nil }
                return (String(parts[0]), errno)
            },
            uniquingKeysWith: { first, _ in first }
        )
    }

    @Test("each instance runs as a user and group of its own, never 1000, and owns its volume's files")
    func ownUsers() async throws {
        try await TestDaemon.with { daemon in
            let startup = #"id -u > /home/container/uid.txt; echo ready; while read line; do echo "echo:$line"; done"#
            let first = TestDaemon.echoSpecification(startup: startup, install: InstallScript(script: "echo installed > /mnt/server/installed.txt"))
            let second = TestDaemon.echoSpecification(startup: startup)
            var users: [String] = []
            for specification in [first, second] {
                let running = try await daemon.deployRunning(specification)
                let inspection = try await daemon.docker.inspectContainer(try #require(running.containerID))
                let user = try #require(inspection.configuration.user)
                users.append(user)
                let id = try #require(UInt32(user.split(separator: ":")[0]))
                #expect(user == "\(id):\(id)")
                #expect(daemon.configuration.instanceIDs.contains(id) && id != 1000)
                let volume = daemon.configuration.volumesDirectory + "/" + specification.id
                let owner = try FileManager.default.attributesOfItem(atPath: volume)[.ownerAccountID] as? NSNumber
                #expect(owner?.uint32Value == id, "the volume belongs to the instance's user")
                let written = try await daemon.waitForFile(volume + "/uid.txt")
                #expect(written.trimmingCharacters(in: .whitespacesAndNewlines) == String(id), "the server runs as that user")
            }
            let installed = daemon.configuration.volumesDirectory + "/" + first.id + "/installed.txt"
            let installedOwner = try FileManager.default.attributesOfItem(atPath: installed)[.ownerAccountID] as? NSNumber
            #expect(
                installedOwner.map { String($0.uint32Value) } == users.first.map { String($0.split(separator: ":")[0]) },
                "what the installer wrote as root is handed over"
            )
            #expect(Set(users).count == 2, "two tenants never share a user: \(users)")
            for specification in [first, second] { try await daemon.request(.DELETE, "/api/instances/\(specification.id)") }
        }
    }

    @Test("variables that change how programs load or run are refused unless the image declares them")
    func protectedVariables() async throws {
        try await TestDaemon.with { daemon in
            for name in ["LD_PRELOAD", "LD_LIBRARY_PATH", "PATH", "HOME", "PYTHONPATH", "SERVER_PORT"] {
                var specification = TestDaemon.echoSpecification()
                specification.variables[name] = "/home/container/x"
                let answer = try await daemon.request(.POST, "/api/instances", body: specification)
                #expect(answer.status == 400, "\(name)")
                #expect(answer.error == "variable \(name) changes how programs load or run; only an image that declares it lets users set it")
            }
            var nul = TestDaemon.echoSpecification()
            nul.variables["MOTD"] = "a\u{0}b"
            #expect(try await daemon.request(.POST, "/api/instances", body: nul).error == "variable MOTD contains a NUL character")

            // An image that declares one (the Valheim egg declares LD_LIBRARY_PATH) lets users set it.
            var declared = TestDaemon.echoSpecification()
            declared.image.environment["LD_LIBRARY_PATH"] = "./linux64"
            declared.variables["LD_LIBRARY_PATH"] = "./linux64:./other"
            #expect(try await daemon.request(.POST, "/api/instances", body: declared).status == 202)
            try await daemon.waitFor(declared.id, "READY") { $0.installState == .ready }
            try await daemon.request(.DELETE, "/api/instances/\(declared.id)")
            #expect(try await daemon.request(.GET, "/api/instances").decode([InstanceStatus].self).isEmpty)
        }
    }

    @Test("the installer, which runs as root, gets only the variables the image declares")
    func installerEnvironment() async throws {
        try await TestDaemon.with { daemon in
            var specification = TestDaemon.echoSpecification(install: InstallScript(script: "env > /mnt/server/installer-env.txt"))
            specification.variables["GREETING"] = "set by the user"
            let id = specification.id
            _ = try await daemon.deploy(specification)
            try await daemon.waitFor(id, "READY") { $0.installState == .ready }
            let recorded = try String(contentsOfFile: daemon.configuration.volumesDirectory + "/\(id)/installer-env.txt", encoding: .utf8)
            #expect(recorded.contains("GREETING=set by the user"), "a declared variable reaches the installer with the user's value")
            #expect(!recorded.contains("MOTD="), "an undeclared one does not")
            try await daemon.request(.DELETE, "/api/instances/\(id)")
        }
    }

    @Test("a variable's value reaches the startup line as text, never as shell code")
    func variablesAreNotShellCode() async throws {
        try await TestDaemon.with { daemon in
            // The echo specification's MOTD is "hi $(touch /tmp/owned)".
            let specification = TestDaemon.echoSpecification(
                startup:
                    #"echo "motd:{{MOTD}}"; if [ -e /tmp/owned ]; then echo owned; else echo clean; fi; while read line; do echo "echo:$line"; done"#,
                readyPattern: "clean"
            )
            try await daemon.deployRunning(specification)
            let console = try await daemon.withConsole(specification.id) { $0.output.contains("clean") }
            #expect(console.output.contains("motd:hi $(touch /tmp/owned)"), "the value is printed as written")
            #expect(!console.output.contains("owned\n"), "the command in it never ran")
            try await daemon.request(.DELETE, "/api/instances/\(specification.id)")
        }
    }
}
