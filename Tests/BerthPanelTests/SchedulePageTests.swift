import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel
@testable import BerthWeb

/// The schedules page on a real node, as a browser without scripts uses it.
@Suite("The schedules page", .timeLimit(.minutes(4)))
struct SchedulePageTests {
    @Test("an owner sets up a schedule with task lines, changes, pauses, runs and deletes it; a bad line is named; each is audited")
    func ownersWork() async throws {
        try await TestPanel.with(withNode: true) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let browser = panel.browser()
            #expect(try await browser.signIn("owner", WebSessionTests.password).status == 303)
            #expect(try await browser.get("/instances/\(id)").text.contains(#"href="/instances/\#(id)/schedules" id="open-schedules""#))
            #expect(try await browser.get("/instances/\(id)/schedules").text.contains(#"id="no-schedules""#))

            _ = try await browser.post(
                "/instances/\(id)/schedules",
                ["name": "Nightly", "cron": "0 4 1 1 *", "timeZone": "Europe/Berlin", "tasks": "command say soon\nwait 300\npower restart\nbackup"]
            )
            let page = try await browser.get("/instances/\(id)/schedules").text
            #expect(page.contains("The schedule Nightly is set up."), "\(page)")
            let schedule = try #require(try await panel.panel.instances.schedules.list(id, as: .administrator).first)
            #expect(
                schedule.tasks == [
                    ScheduleTask(action: .command, value: "say soon"), ScheduleTask(action: .power, value: "restart", delay: 300),
                    ScheduleTask(action: .backup),
                ]
            )
            #expect(schedule.timeZone == "Europe/Berlin" && schedule.cron == "0 4 1 1 *")
            #expect(page.contains("command say soon\nwait 300\npower restart\nbackup</textarea>"), "the tasks shown as they were written")

            _ = try await browser.post("/instances/\(id)/schedules", ["name": "Broken", "cron": "0 4 * * *", "tasks": "reboot now"])
            #expect(
                try await browser.get("/instances/\(id)/schedules").text.contains(
                    "Line 1: reboot is not a task; write command, power, backup or wait"
                )
            )
            _ = try await browser.post("/instances/\(id)/schedules", ["name": "Broken", "cron": "0 99 * * *", "tasks": "backup"])
            #expect(try await browser.get("/instances/\(id)/schedules").text.contains("Cron: hour: 99 is not a number from 0 to 23"))

            _ = try await browser.post(
                "/instances/\(id)/schedules/\(schedule.id)",
                ["name": "Weekly", "cron": "0 5 * * sun", "timeZone": "UTC", "onlyWhenOnline": "on", "tasks": "command say hello"]
            )
            let changed = try #require(try await panel.panel.instances.schedules.list(id, as: .administrator).first)
            #expect(changed.name == "Weekly" && changed.onlyWhenOnline && changed.tasks == [ScheduleTask(action: .command, value: "say hello")])
            _ = try await browser.post("/instances/\(id)/schedules/\(schedule.id)/pause", ["enabled": "false"])
            #expect(try await browser.get("/instances/\(id)/schedules").text.contains(#"<dd id="next-run-\#(schedule.id)">paused</dd>"#))
            _ = try await browser.post("/instances/\(id)/schedules/\(schedule.id)/run")
            let deadline = ContinuousClock.now + .seconds(30)
            while try await panel.panel.instances.schedules.list(id, as: .administrator).first?.lastOutcome.isEmpty != false {
                guard ContinuousClock.now < deadline else { throw TestFailure("run now never ran") }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await browser.get("/instances/\(id)/schedules").text.contains("command: done"))
            _ = try await browser.post("/instances/\(id)/schedules/\(schedule.id)/delete")
            #expect(try await browser.get("/instances/\(id)/schedules").text.contains(#"id="no-schedules""#))
            let actions = try await panel.panel.audit.search(AuditFilter(), skipping: 0, count: 100).map(\.action)
            for action in [
                "set up schedule Nightly", "changed schedule Weekly", "paused schedule Weekly", "ran schedule Weekly",
                "deleted schedule \(schedule.id)",
            ] {
                #expect(actions.contains(action), "\(action) in \(actions)")
            }
        }
    }
}
