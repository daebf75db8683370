import BerthHTTP
import FluentKit
import Foundation
import Logging
import Testing

@testable import BerthPanel

/// Failed sign-ins and API keys are counted per client address (and per account from one address),
/// in the database, with waits that grow; behind a trusted reverse proxy the client is the one it names.
@Suite struct ThrottlingTests {
    static let password = "correct horse battery"
    static let proxy = TrustedProxies([AddressRange("127.0.0.1/32"), AddressRange("::1")].compactMap { $0 })

    @Test("guessing alice's password from one address does not lock alice out at another")
    func theOwnerIsNotLockedOut() async throws {
        try await TestPanel.with(trustedProxies: Self.proxy) { panel in
            _ = try await panel.createUser("alice")
            let attacker = panel.browser(forwardedFor: "203.0.113.7")
            var statuses: [Int] = []
            // Each guess that surely reached the panel within the first wait (15 s after the last counted
            // failure: from before that failure was sent to after this guess was answered) is refused. On a
            // machine so loaded that a few sign-ins take longer than that, the wait may end mid-way: the
            // next guess is then counted again (a 401), and starts a longer wait.
            var lastFailureSent = ContinuousClock.now
            var guessedWhileWaiting = 0
            for _ in 0..<12 {
                let sent = ContinuousClock.now
                let status = try await attacker.signIn("alice", "not the password").status
                statuses.append(status)
                let span = ContinuousClock.now - lastFailureSent
                if statuses.count > 5, span < .seconds(14) {
                    guessedWhileWaiting += 1
                    #expect(status == 429, "a guess at most \(span) after the last failure waits: \(statuses)")
                }
                if status == 401 { lastFailureSent = sent }
            }
            #expect(statuses.prefix(5).allSatisfy { $0 == 401 }, "five free failures: \(statuses)")
            #expect(guessedWhileWaiting > 0, "then the attacker waits: \(statuses)")
            // One more guess, so that the right password comes just after a counted failure or within a wait.
            _ = try await attacker.signIn("alice", "not the password either")
            let refused = try await attacker.signIn("alice", Self.password)
            #expect(refused.status == 429, "the right password does not help the address that guessed")
            #expect(refused.text.contains("Too many failed sign-ins for this account"))
            #expect(Int(refused.headers.first(name: "retry-after") ?? "") ?? 0 >= 1)

            let owner = panel.browser(forwardedFor: "198.51.100.2")
            #expect(try await owner.signIn("alice", Self.password).status == 303, "the owner elsewhere signs in")
        }
    }

    @Test("a client that is no trusted proxy cannot pick the address its failures count against")
    func forwardedForIsIgnoredWithoutATrustedProxy() async throws {
        try await TestPanel.with { panel in
            _ = try await panel.createUser("alice")
            for attempt in 0..<5 {
                let statuses = try await panel.browser(forwardedFor: "198.51.100.\(attempt)").signIn("alice", "wrong")
                #expect(statuses.status == 401)
            }
            // Each later guess names yet another forwarded address; the panel still sees one client and makes it
            // wait. A guess that comes only after a wait has passed (a loaded machine) is counted and starts the
            // next, longer one, so within a few guesses one is made to wait; with the header believed, none would.
            var later: [Int] = []
            for attempt in 5..<10 where !later.contains(429) {
                later.append(try await panel.browser(forwardedFor: "198.51.100.\(attempt)").signIn("alice", "wrong").status)
            }
            #expect(later.contains(429), "a new X-Forwarded-For is still the same client: \(later)")
            let events = try await AuditEvent.query(on: panel.panel.database.db()).all()
            #expect(!events.contains { $0.clientAddress.hasPrefix("198.51.100.") })
        }
    }

    @Test("behind a trusted proxy the audit log names the forwarded client")
    func auditNamesTheForwardedClient() async throws {
        try await TestPanel.with(trustedProxies: Self.proxy) { panel in
            _ = try await panel.createUser("alice")
            // A client's own X-Forwarded-For entry comes first; the proxy appends the address it saw.
            let browser = panel.browser(forwardedFor: "10.9.9.9, 198.51.100.2")
            #expect(try await browser.signIn("alice", Self.password).status == 303)
            let signIn = try await AuditEvent.query(on: panel.panel.database.db()).filter(\.$action == "signed in").first()
            #expect(signIn?.clientAddress == "198.51.100.2")
        }
    }

    @Test("waits double after the free failures, stop growing at the longest, and are forgotten")
    func waitsGrow() async throws {
        try await withPanel { panel in
            let policy = ThrottlePolicy(freeFailures: 2, firstDelay: .seconds(10), longestDelay: .seconds(40), memory: .seconds(600))
            let throttle = FailureThrottle(database: panel.database, policy: policy)
            let start = Date(timeIntervalSince1970: 1_000_000)
            func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

            try await throttle.recordFailure(of: "k", now: at(0))
            #expect(try await throttle.wait(for: "k", now: at(0)) == nil, "one failure is free")
            try await throttle.recordFailure(of: "k", now: at(0))
            #expect(try await throttle.wait(for: "k", now: at(0)) == .seconds(10))
            #expect(try await throttle.wait(for: "k", now: at(10)) == nil)
            try await throttle.recordFailure(of: "k", now: at(10))
            #expect(try await throttle.wait(for: "k", now: at(10)) == .seconds(20))
            try await throttle.recordFailure(of: "k", now: at(30))
            #expect(try await throttle.wait(for: "k", now: at(30)) == .seconds(40))
            try await throttle.recordFailure(of: "k", now: at(70))
            #expect(try await throttle.wait(for: "k", now: at(70)) == .seconds(40), "the longest wait is the cap")
            #expect(try await throttle.wait(for: "other", now: at(70)) == nil, "keys are apart")

            try await throttle.recordFailure(of: "k", now: at(70 + 601))
            #expect(try await throttle.wait(for: "k", now: at(70 + 601)) == nil, "a failure after the memory starts again")
            try await throttle.recordFailure(of: "k", now: at(70 + 601))
            try await throttle.forget("k")
            #expect(try await throttle.wait(for: "k", now: at(70 + 601)) == nil)
        }
    }

    @Test("two panel processes on one database count failures together")
    func sharedAcrossPanels() async throws {
        try await withPanel { first in
            let second = try await Panel.open(first.configuration, logger: Self.quietLogger)
            let throttles = [first, second].map { FailureThrottle(database: $0.database, policy: .failedKeys(free: 4)) }
            for index in 0..<4 { try await throttles[index % 2].recordFailure(of: "api-key from 192.0.2.1") }
            for throttle in throttles {
                #expect(try await throttle.wait(for: "api-key from 192.0.2.1") != nil)
            }
            await second.close()
        }
    }

    @Test("trusted proxy ranges: IPv4 and IPv6 blocks, mapped addresses, and forged hops")
    func trustedProxyRanges() throws {
        let proxies = TrustedProxies(["10.0.0.0/8", "fd00::/8"].compactMap(AddressRange.init))
        #expect(AddressRange("10.0.0.0/33") == nil && AddressRange("nonsense") == nil && AddressRange("10.0.0.0/x") == nil)
        #expect(proxies.client(peer: "192.0.2.5", forwardedFor: ["198.51.100.1"]) == "192.0.2.5", "an untrusted peer is the client")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: ["198.51.100.1"]) == "198.51.100.1")
        #expect(proxies.client(peer: "::ffff:10.1.2.3", forwardedFor: ["198.51.100.1"]) == "198.51.100.1")
        #expect(proxies.client(peer: "fd12::1", forwardedFor: ["2001:db8::7, 10.0.0.2"]) == "2001:db8::7", "trusted hops are skipped")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: ["198.51.100.1, not-an-address"]) == "10.1.2.3")
        #expect(proxies.client(peer: "10.1.2.3", forwardedFor: []) == "10.1.2.3")
        #expect(proxies.client(peer: "11.0.0.1", forwardedFor: ["198.51.100.1"]) == "11.0.0.1")
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "test.panel")
        logger.logLevel = .warning
        return logger
    }

    private func withPanel(_ body: (Panel) async throws -> Void) async throws {
        let dataDirectory = NSTemporaryDirectory() + "berth-throttle-test-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let configuration = PanelConfiguration(dataDirectory: dataDirectory, databaseURL: try await TestDatabase.freshURL())
        let panel = try await Panel.open(configuration, logger: Self.quietLogger)
        do {
            try await body(panel)
        } catch {
            await panel.close()
            throw error
        }
        await panel.close()
    }
}
