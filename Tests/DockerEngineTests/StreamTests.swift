import DockerEngine
import Testing

@Suite("Attach, logs, stats and events", .timeLimit(.minutes(2)))
struct StreamTests {
    @Test("a command written to stdin comes back on stdout, and stderr stays apart")
    func attachWithStdin() async throws {
        try await TestEngine.withEngine { docker in
            let script = #"while read line; do echo "echo:$line"; echo "err:$line" >&2; done; echo bye"#
            try await TestEngine.withContainer(docker, purpose: "attach", command: ["sh", "-c", script], openStdin: true, stdinOnce: true) { id, _ in
                try await docker.startContainer(id)
                let exit = try await docker.withAttachment(to: id) { output, input in
                    try await input.write("hello\n")
                    var stdout = ""
                    var stderr = ""
                    var iterator = output.makeAsyncIterator()
                    while !(stdout.contains("echo:hello") && stderr.contains("err:hello")), let chunk = try await iterator.next() {
                        switch chunk.stream {
                        case .stdout: stdout += chunk.text
                        case .stderr: stderr += chunk.text
                        case .stdin: Issue.record("stdin echoed back")
                        }
                    }
                    #expect(stdout == "echo:hello\n")
                    #expect(stderr == "err:hello\n")

                    // Closing stdin ends the read loop (the container closes its stdin with the attachment's,
                    // as it was created with `stdinOnce`); the output that follows still arrives.
                    try await input.write("second\n")
                    input.close()
                    var rest = ""
                    while let chunk = try await iterator.next() {
                        if chunk.stream == .stdout { rest += chunk.text }
                    }
                    #expect(rest == "echo:second\nbye\n")
                    return try await docker.waitForContainer(id)
                }
                #expect(exit.statusCode == 0)
            }
        }
    }

    @Test("with a terminal the attached stream is raw")
    func attachWithTerminal() async throws {
        try await TestEngine.withEngine { docker in
            let script = #"while read line; do echo "got:$line"; done"#
            try await TestEngine.withContainer(docker, purpose: "tty", command: ["sh", "-c", script], tty: true, openStdin: true) { id, _ in
                try await docker.startContainer(id)
                let seen = try await docker.withAttachment(to: id) { output, input in
                    try await input.write("ping\n")
                    return try await readUntil(output) { $0.contains("got:ping") }
                }
                #expect(seen?.contains("got:ping") == true)
            }
        }
    }

    @Test("attaching to a missing container is not found")
    func attachMissing() async throws {
        try await TestEngine.withEngine { docker in
            await #expect(throws: DockerEngineError.self) {
                try await docker.withAttachment(to: "berth-test-missing") { _, _ in () }
            }
        }
    }

    @Test("logs keep stdout and stderr apart, honour tail, and follow until the container exits")
    func logs() async throws {
        try await TestEngine.withEngine { docker in
            let script = "echo one; echo two >&2; echo three; sleep 0.5; echo four; sleep 0.5; echo done"
            try await TestEngine.withContainer(docker, purpose: "logs", command: ["sh", "-c", script]) { id, _ in
                try await docker.startContainer(id)
                // Docker copies stdout and stderr apart, so only the order within each stream is kept.
                var followed: [OutputChunk.Stream: String] = [:]
                for try await chunk in try await docker.containerLogs(id, follow: true) {
                    followed[chunk.stream, default: ""] += chunk.text
                }
                #expect(followed[.stdout] == "one\nthree\nfour\ndone\n")
                #expect(followed[.stderr] == "two\n")

                var stdout: [String] = []
                var stderr: [String] = []
                for try await chunk in try await docker.containerLogs(id) {
                    if chunk.stream == .stderr { stderr.append(chunk.text) } else { stdout.append(chunk.text) }
                }
                #expect(stdout.joined() == "one\nthree\nfour\ndone\n")
                #expect(stderr.joined() == "two\n")

                var tail = ""
                for try await chunk in try await docker.containerLogs(id, tail: 2) { tail += chunk.text }
                #expect(tail == "four\ndone\n")
            }
        }
    }

    @Test("stats stream samples that show the container's own limits")
    func stats() async throws {
        try await TestEngine.withEngine { docker in
            try await TestEngine.withContainer(
                docker,
                purpose: "stats",
                command: ["sleep", "60"],
                hostConfiguration: HostConfiguration(memory: 48 << 20, memorySwap: 48 << 20, pidsLimit: 20)
            ) { id, _ in
                try await docker.startContainer(id)
                var samples: [ContainerStats] = []
                for try await sample in try await docker.containerStats(id) {
                    samples.append(sample)
                    if samples.count == 2 { break }
                }
                #expect(samples.count == 2)
                #expect(samples.allSatisfy { $0.memory.limit == 48 << 20 })
                #expect(samples.last?.processes?.current ?? 0 >= 1)
                #expect(samples.last.map { $0.cpu.totalUsage >= $0.previousCPU.totalUsage } == true)
                let snapshot = try await docker.containerStatsSnapshot(id)
                #expect(snapshot.memory.limit == 48 << 20)
                #expect(snapshot.memory.workingSet > 0)
            }
        }
    }

    @Test("events for labelled containers arrive as they happen")
    func events() async throws {
        try await TestEngine.withEngine { docker in
            let marker = TestEngine.uniqueName("events")
            let events = try await docker.events(matching: EventFilter(types: ["container"], labels: ["berth.marker=\(marker)"]))
            try await TestEngine.withContainer(docker, purpose: "events", command: ["sh", "-c", "exit 7"], labels: ["berth.marker": marker]) {
                id,
                _ in
                try await docker.startContainer(id)
                var actions: [String] = []
                for try await event in events {
                    #expect(event.actor.id == id)
                    #expect(event.actor.attributes["berth.marker"] == marker)
                    actions.append(event.action)
                    if event.action == "die" {
                        #expect(event.actor.attributes["exitCode"] == "7")
                        break
                    }
                }
                #expect(actions.starts(with: ["create", "start"]))
                #expect(actions.last == "die")
            }
        }
    }
}
