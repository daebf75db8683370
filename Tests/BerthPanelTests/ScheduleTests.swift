import BerthProtocol
import BerthTestSupport
import DockerEngine
import Foundation
import Testing

@testable import BerthPanel

/// Schedules on a real node: due times in a time zone, tasks in order through the daemon, each due time
/// run once (two panel processes on one database included), missed times caught up once, and the rules.
@Suite("Instance schedules", .timeLimit(.minutes(4)))
struct ScheduleTests {
    static func schedules(_ id: String, _ tail: String = "") -> String { "/api/v1/instances/\(id)/schedules\(tail)" }

    /// What the instance's container printed, all its runs.
    static func output(_ panel: TestPanel, _ id: String) async throws -> String {
        let node = try #require(panel.node)
        let container = try #require(try await panel.instance(id)["ContainerId"] as? String)
        var output = ""
        for try await chunk in try await node.docker.containerLogs(container) { output += chunk.text }
        return output
    }

    /// How many times the instance echoed `command`, once it has echoed it `expecting` times or 10 s passed:
    /// the node answers once a command is written to the process, which echoes it a moment later.
    static func echoes(of command: String, by panel: TestPanel, _ id: String, expecting: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let echoed = try await output(panel, id).components(separatedBy: "echo:\(command)").count - 1
            guard echoed < expecting, ContinuousClock.now < deadline else { return echoed }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func date(_ text: String?) throws -> Date {
        try #require(text.flatMap { try? Date($0, strategy: .iso8601) }, "\(text ?? "nil") is a time")
    }

    @Test("at its due time in its time zone, a command, a restart after a delay and a backup run in order, once")
    func runsInOrderOnce() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let key = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
            // Due twelve hours from now on Berlin's clock: the panel's own runner, on the real clock, never
            // reaches it while the test runs (the test runs it at its due time itself).
            var berlin = Calendar(identifier: .gregorian)
            berlin.timeZone = TimeZone(identifier: "Europe/Berlin")!
            let hour = (berlin.component(.hour, from: Date()) + 12) % 24
            let body = """
                {"name": "Nightly", "cron": "0 \(hour) * * *", "timeZone": "Europe/Berlin", "tasks": [
                  {"action": "command", "value": "say restarting"},
                  {"action": "power", "value": "restart", "delay": 1},
                  {"action": "backup"}]}
                """
            let made = try await panel.request(.POST, Self.schedules(id), json: body, apiKey: .some(key))
            #expect(made.status == 201, "\(made.text)")
            // The next such hour on Berlin's clock, counted here without the cron parser.
            let today = berlin.date(bySettingHour: hour, minute: 0, second: 0, of: Date())!
            let expected = today > Date() ? today : berlin.date(byAdding: .day, value: 1, to: today)!
            let due = try Self.date(made.object["nextRunAt"] as? String)
            #expect(due == expected, "\(due) is the next \(hour):00 in Berlin, \(expected)")

            let runner = panel.panel.scheduleRunner
            #expect(await runner.runDue(at: due.addingTimeInterval(-60)).isEmpty, "not before it is due")
            let ran = await runner.runDue(at: due)
            #expect(ran.count == 1 && ran.first?.lastOutcome.map(\.status) == [.done, .done, .done], "\(ran)")
            #expect(await runner.runDue(at: due).isEmpty, "a due time runs once")
            let listed = try #require(try await panel.request(.GET, Self.schedules(id), apiKey: .some(key)).array.first)
            #expect(try Self.date(listed["lastRunAt"] as? String) == due)
            #expect(try Self.date(listed["nextRunAt"] as? String) == berlin.date(byAdding: .day, value: 1, to: due))

            let output = try await Self.output(panel, id)
            let command = try #require(output.range(of: "echo:say restarting"))
            let stop = try #require(output.range(of: "echo:stop"), "the restart stopped it: \(output)")
            #expect(command.lowerBound < stop.lowerBound, "the command before the restart")
            try await panel.waitFor(id, "running again") { $0["PowerState"] as? String == "running" }
            #expect(try await Self.output(panel, id).components(separatedBy: "ready").count - 1 == 2, "started twice")
            let backups = try await panel.request(.GET, "/api/v1/instances/\(id)/backups", apiKey: .some(key)).array
            #expect(backups.map { $0["name"] as? String } == ["Scheduled backup"])
        }
    }

    @Test("missed due times run once; paused does not run, run now does; only-when-online skips; a failed task ends the run; full backups rotate")
    func catchUpPauseSkipAndFailure() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let schedules = panel.panel.instances.schedules
            let runner = panel.panel.scheduleRunner
            // Set up as if it were 2040, so the panel's own runner (on today's clock) leaves them to the test.
            let later = try Date("2040-06-01T12:00:00Z", strategy: .iso8601)
            func fields(_ json: String) throws -> RequestFields {
                guard case .object(let values) = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else {
                    throw TestFailure("not an object")
                }
                return RequestFields(values: values)
            }
            let ticking = try await schedules.create(
                id,
                try fields(#"{"name": "tick", "cron": "*/5 * * * *", "tasks": [{"action": "command", "value": "tick"}]}"#),
                as: .administrator,
                now: later
            )
            #expect(ticking.nextRunAt == "2040-06-01T12:05:00Z")
            // Three hours without a panel: 36 due times missed, one run.
            let ran = await runner.runDue(at: later.addingTimeInterval(3 * 3600 + 30))
            #expect(ran.map(\.id) == [ticking.id] && ran.first?.nextRunAt == "2040-06-01T15:05:00Z", "\(ran)")
            #expect(try await Self.echoes(of: "tick", by: panel, id, expecting: 1) == 1)

            let paused = try await schedules.update(id, schedule: ticking.id, try fields(#"{"enabled": false}"#), as: .administrator, now: later)
            #expect(paused.nextRunAt == nil)
            #expect(await runner.runDue(at: later.addingTimeInterval(30 * 86400)).isEmpty, "paused")
            // Run now: the panel's own runner takes it within seconds, paused or not.
            let asked = try await panel.request(.POST, Self.schedules(id, "/\(ticking.id)/run"))
            #expect(asked.status == 202, "\(asked.text)")
            let deadline = ContinuousClock.now + .seconds(30)
            while try await Self.output(panel, id).components(separatedBy: "echo:tick").count - 1 < 2 {
                guard ContinuousClock.now < deadline else { throw TestFailure("run now never ran") }
                try await Task.sleep(for: .milliseconds(200))
            }

            // Two backups kept, the limit; one locked. A scheduled backup removes the oldest unlocked one.
            #expect(try await panel.request(.PATCH, "/api/v1/instances/\(id)", ["backupLimit": 2]).status == 200)
            let first = try await panel.panel.instances.backups.create(id, name: "first", as: .administrator)
            _ = try await panel.panel.instances.backups.setLocked(true, id: id, backup: first.id, as: .administrator)
            _ = try await panel.panel.instances.backups.create(id, name: "second", as: .administrator)
            let backingUp = try await schedules.create(
                id,
                try fields(#"{"name": "backup", "cron": "0 3 * * *", "tasks": [{"action": "backup"}]}"#),
                as: .administrator,
                now: later
            )
            #expect(await runner.runDue(at: try Self.date(backingUp.nextRunAt)).first?.lastOutcome.map(\.status) == [.done])
            let names = try await panel.panel.instances.backups.list(id, as: .administrator).map(\.name).sorted()
            #expect(names == ["Scheduled backup", "first"], "the oldest unlocked went, the locked stayed: \(names)")

            // Stopped: only-when-online skips, and a command that cannot be sent ends its run.
            #expect(try await panel.request(.POST, "/api/v1/instances/\(id)/power", ["action": "stop"]).status == 202)
            try await panel.waitFor(id, "offline") { $0["PowerState"] as? String == "offline" }
            let online = try await schedules.create(
                id,
                try fields(#"{"name": "online", "cron": "0 1 * * *", "onlyWhenOnline": true, "tasks": [{"action": "command", "value": "x"}]}"#),
                as: .administrator,
                now: later
            )
            let failing = try await schedules.create(
                id,
                try fields(#"{"name": "failing", "cron": "0 1 * * *", "tasks": [{"action": "command", "value": "x"}, {"action": "backup"}]}"#),
                as: .administrator,
                now: later
            )
            let outcomes = await runner.runDue(at: try Self.date(online.nextRunAt))
            #expect(outcomes.first { $0.id == online.id }?.lastOutcome.map(\.status) == [.skipped])
            let failed = try #require(outcomes.first { $0.id == failing.id })
            #expect(failed.lastOutcome.map(\.status) == [.failed, .notRun], "\(failed.lastOutcome)")
            #expect(failed.lastOutcome.first?.message?.isEmpty == false)
        }
    }

    @Test("two panel processes on one database: each due time runs once")
    func twoPanelsRunOnce() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let configuration = panel.panel.configuration
            let second = try await Panel.open(PanelConfiguration(dataDirectory: configuration.dataDirectory, databaseURL: configuration.databaseURL))
            let outcome = await Result {
                let later = try Date("2040-06-01T12:00:00Z", strategy: .iso8601)
                guard
                    case .object(let values) = try JSONDecoder().decode(
                        JSONValue.self,
                        from: Data(#"{"name": "both", "cron": "* * * * *", "tasks": [{"action": "command", "value": "once"}]}"#.utf8)
                    )
                else { throw TestFailure("not an object") }
                let schedule = try await panel.panel.instances.schedules.create(id, RequestFields(values: values), as: .administrator, now: later)
                for minute in 1...5 {
                    let due = later.addingTimeInterval(Double(60 * minute))
                    let runs = await withTaskGroup(of: Int.self) { group in
                        for runner in [panel.panel.scheduleRunner, second.scheduleRunner, panel.panel.scheduleRunner, second.scheduleRunner] {
                            group.addTask { await runner.runDue(at: due).filter { $0.id == schedule.id }.count }
                        }
                        return await group.reduce(0, +)
                    }
                    #expect(runs == 1, "minute \(minute): \(runs) runs")
                }
                #expect(try await Self.echoes(of: "once", by: panel, id, expecting: 5) == 5)
            }
            await second.close()
            try outcome.get()
        }
    }

    @Test("two panel processes, the tests' and a `berth panel` of its own, on one database: a due minute runs once")
    func twoProcessesRunOnce() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let id = try await InstanceTests.deployReadyEcho(panel, owner: try await panel.createUser("owner"))
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let process = try ChildProcess(
                BerthExecutable.path,
                ["panel", "--data", panel.dataDirectory, "--port", "\(TestPorts.next())"],
                environment: ["BERTH_DATABASE_URL": panel.databaseURL ?? ""],
                output: .discarded
            )
            defer { process.terminate() }

            // One minute of the year, soon, on the real clock: both processes look every 10 s, so both see it due.
            var utc = Calendar(identifier: .gregorian)
            utc.timeZone = TimeZone(identifier: "UTC")!
            let target = Date(timeIntervalSince1970: ((Date().timeIntervalSince1970 + 15) / 60).rounded(.up) * 60)
            let at = utc.dateComponents([.minute, .hour, .day, .month], from: target)
            let cron = "\(at.minute!) \(at.hour!) \(at.day!) \(at.month!) *"
            let made = try await panel.request(
                .POST,
                Self.schedules(id),
                json: #"{"name": "once", "cron": "\#(cron)", "tasks": [{"action": "command", "value": "minute"}]}"#
            )
            #expect(try Self.date(made.object["nextRunAt"] as? String) == target, "\(made.text)")
            let deadline = ContinuousClock.now + .seconds(120)
            while try await Self.output(panel, id).components(separatedBy: "echo:minute").count - 1 < 1 {
                guard ContinuousClock.now < deadline, process.isRunning else { throw TestFailure("the due minute never ran") }
                try await Task.sleep(for: .milliseconds(500))
            }
            // Each process has looked three times more since it was due.
            let settled = target.addingTimeInterval(35).timeIntervalSinceNow
            if settled > 0 { try await Task.sleep(for: .seconds(settled)) }
            #expect(process.isRunning, "the second panel ran all along")
            #expect(try await Self.output(panel, id).components(separatedBy: "echo:minute").count - 1 == 1, "one run of the due minute")
            let listed = try #require(try await panel.request(.GET, Self.schedules(id)).array.first)
            let ran = try Self.date(listed["lastRunAt"] as? String)
            #expect(ran >= target && ran < target.addingTimeInterval(20), "run when due: \(ran)")
        }
    }

    @Test("bad schedules are refused, naming the field; a subuser sets up only tasks they could do themselves")
    func refusalsAndPermissions() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let helper = try await panel.createUser("helper")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let key = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
            for (body, problem) in [
                (
                    #"{"name": "x", "cron": "0 4 * *", "tasks": [{"action": "backup"}]}"#,
                    "cron: a cron expression has 5 fields (minute hour day month weekday), such as 0 4 * * *; this has 4"
                ),
                (#"{"name": "x", "cron": "0 25 * * *", "tasks": [{"action": "backup"}]}"#, "cron: hour: 25 is not a number from 0 to 23"),
                (
                    #"{"name": "x", "cron": "0 4 * * *", "timeZone": "Mars/Olympus", "tasks": [{"action": "backup"}]}"#,
                    "timeZone: Mars/Olympus is not a time zone; name one such as UTC or Europe/Berlin"
                ),
                (#"{"name": "x", "cron": "0 4 * * *", "tasks": []}"#, "tasks must name at least one task"),
                (#"{"name": "x", "cron": "0 4 * * *", "tasks": [{"action": "reboot"}]}"#, "tasks[0]: action must be one of command, power, backup"),
                (
                    #"{"name": "x", "cron": "0 4 * * *", "tasks": [{"action": "power", "value": "explode"}]}"#,
                    "tasks[0]: a power task's value is one of start, stop, restart, kill"
                ),
                (
                    #"{"name": "x", "cron": "0 4 * * *", "tasks": [{"action": "command", "value": "a\nb"}]}"#,
                    "tasks[0]: the command must be one line of at most 1000 characters"
                ),
                (
                    #"{"name": "x", "cron": "0 4 * * *", "tasks": [{"action": "backup", "delay": 3601}]}"#,
                    "tasks[0]: delay must be a whole number of seconds from 0 to 3600"
                ),
                (
                    #"{"name": "x", "cron": "0 4 * * *", "tasks": [{"action": "backup"}], "every": 5}"#,
                    "every is not a field of a schedule; it takes cron, enabled, name, onlyWhenOnline, tasks, timeZone"
                ),
                (#"{"cron": "0 4 * * *", "tasks": [{"action": "backup"}]}"#, "name is required"),
            ] {
                let refused = try await panel.request(.POST, Self.schedules(id), json: body, apiKey: .some(key))
                #expect(refused.status == 400 && refused.error == problem, "\(body): \(refused.text)")
            }
            #expect(try await panel.request(.GET, Self.schedules(id), apiKey: .some(key)).array.isEmpty, "nothing was made")

            let helpersKey = try await panel.panel.createAPIKey(name: "helper's", scopes: "instances:write", owner: helper)
            #expect(try await panel.request(.GET, Self.schedules(id), apiKey: .some(helpersKey)).status == 404)
            let grant = try await panel.request(
                .POST,
                "/api/v1/instances/\(id)/subusers",
                json: #"{"user": "helper", "permissions": ["schedules", "console.write"]}"#,
                apiKey: .some(key)
            )
            #expect(grant.status == 201)
            let restart = #"{"name": "x", "cron": "0 4 1 1 *", "tasks": [{"action": "power", "value": "restart"}]}"#
            let refused = try await panel.request(.POST, Self.schedules(id), json: restart, apiKey: .some(helpersKey))
            #expect(
                refused.status == 403 && refused.error == "you may not restart the instance here; that takes the power.restart permission",
                "\(refused.text)"
            )
            let command = #"{"name": "announce", "cron": "0 4 1 1 *", "tasks": [{"action": "command", "value": "say hi"}]}"#
            let made = try await panel.request(.POST, Self.schedules(id), json: command, apiKey: .some(helpersKey))
            #expect(made.status == 201, "\(made.text)")
            let schedule = try #require(made.object["id"] as? String)
            #expect(try await panel.request(.PATCH, Self.schedules(id, "/\(schedule)"), json: restart, apiKey: .some(helpersKey)).status == 403)
            #expect(try await panel.request(.POST, Self.schedules(UUID().uuidString, "/\(schedule)/run")).status == 404)
            #expect(try await panel.request(.DELETE, Self.schedules(id, "/\(UUID().uuidString)"), apiKey: .some(key)).status == 404)
            #expect(try await panel.request(.DELETE, Self.schedules(id, "/\(schedule)"), apiKey: .some(helpersKey)).status == 204)
        }
    }
}
