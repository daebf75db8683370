import BerthHTTP
import BerthTestSupport
import FluentSQLiteDriver
import Foundation
import Testing

@testable import BerthPanel

/// Another process holding the SQLite file (a second `berth` command, a backup tool) makes writes wait a
/// bounded time and then answer 503; before, sqlite-nio's handler retried for ever on a spinning thread.
@Suite("A busy database")
struct DatabaseBusyTests {
    @Test("a write that finds the file locked answers 503, writes nothing, and works once the lock is gone")
    func lockedFileIsA503() async throws {
        try await InProcessPanel.with(onSQLite: true) { panel in
            guard case .sqlite(let path) = panel.panel.configuration.databaseLocation else { throw TestFailure("not on SQLite") }
            let holder = try await SQLiteConnection.open(storage: .file(path: path))
            try await holder.query("BEGIN EXCLUSIVE")
            let user = #"{"username": "waiting", "email": "waiting@example.com", "password": "a good long password"}"#
            // The guard keeps a regression from hanging the suite: before the fix this request never came back.
            let refused = try await withThrowingTaskGroup(of: HTTPAnswer?.self) { group in
                group.addTask { try await panel.request(.POST, "/api/auth/create-user", json: user) }
                group.addTask {
                    try await Task.sleep(for: .seconds(60))
                    return nil
                }
                let first = try await group.next() ?? nil
                try await holder.query("COMMIT")
                group.cancelAll()
                return first
            }
            try await holder.close()
            let answer = try #require(refused, "the write was still waiting for the lock after 60 s")
            #expect(answer.status == 503)
            #expect(answer.error == "the database is busy; try again in a moment")
            #expect(try await panel.request(.GET, "/api/users").array.isEmpty, "nothing half-written")
            #expect(try await panel.request(.POST, "/api/auth/create-user", json: user).status == 201)
            #expect(try await panel.request(.GET, "/api/users").array.count == 1)
        }
    }

    @Test("expired web sessions are swept and live ones kept; a sweep that finds the file locked removes nothing")
    func sessionSweep() async throws {
        // A panel whose services do not run, so its own sweep at start cannot race the test's.
        let dataDirectory = NSTemporaryDirectory() + "berth-sweep-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let panel = try await Panel.open(PanelConfiguration(dataDirectory: dataDirectory))
        do {
            guard case .sqlite(let path) = panel.configuration.databaseLocation else { throw TestFailure("not on SQLite") }
            let sessions = panel.persistence
            try await sessions.create(key: "expired", value: "gone", expires: .seconds(-60))
            try await sessions.create(key: "live", value: "kept", expires: .seconds(3600))
            let holder = try await SQLiteConnection.open(storage: .file(path: path))
            try await holder.query("BEGIN EXCLUSIVE")
            await #expect(throws: SQLiteError.self) { try await sessions.removeExpired() }
            try await holder.query("COMMIT")
            try await holder.close()
            #expect(try await Self.sessionCount(path) == 2, "the locked sweep removed nothing")

            try await sessions.removeExpired()
            #expect(try await Self.sessionCount(path) == 1)
            #expect(try await sessions.get(key: "live", as: String.self) == "kept")
        } catch {
            await panel.close()
            throw error
        }
        await panel.close()
    }

    static func sessionCount(_ path: String) async throws -> Int {
        let connection = try await SQLiteConnection.open(storage: .file(path: path))
        let rows = try await connection.query("SELECT COUNT(*) AS count FROM web_sessions")
        try await connection.close()
        return rows.first?.column("count")?.integer ?? -1
    }

    @Test("a write that finds the panel's disk full answers what happened, writes nothing, and works once there is room")
    func fullDisk() async throws {
        // The data directory on a small file system of its own, which the test fills (T55).
        let mountPoint = NSTemporaryDirectory() + "berth-full-panel-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try HostShell.run("mount -t tmpfs -o size=16m berth-test-full-panel \(mountPoint)")
        defer {
            _ = try? HostShell.run("umount \(mountPoint)")
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        try await InProcessPanel.with(onSQLite: true, dataDirectory: mountPoint + "/data") { panel in
            guard case .sqlite(let path) = panel.panel.configuration.databaseLocation else { throw TestFailure("not on SQLite") }
            #expect(try await panel.request(.POST, "/api/auth/create-user", json: Self.user("before")).status == 201)
            // An empty write-ahead log, so the next write needs new room, and then no room at all.
            let connection = try await SQLiteConnection.open(storage: .file(path: path))
            _ = try await connection.query("PRAGMA wal_checkpoint(TRUNCATE)")
            try await connection.close()
            _ = try? HostShell.run("dd if=/dev/zero of=\(mountPoint)/filler bs=4k 2>/dev/null")

            let refused = try await panel.request(.POST, "/api/auth/create-user", json: Self.user("during"))
            #expect(refused.status == 500)
            #expect(refused.error == APIError.databaseDiskFull.message, "\(refused.text)")
            let names = try await panel.request(.GET, "/api/users").array.compactMap { $0["username"] as? String }
            #expect(names == ["before"], "nothing half-written, nothing lost")

            try FileManager.default.removeItem(atPath: mountPoint + "/filler")
            #expect(try await panel.request(.POST, "/api/auth/create-user", json: Self.user("during")).status == 201)
            #expect(try await panel.request(.GET, "/api/users").array.count == 2)
        }
    }

    static func user(_ name: String) -> String {
        #"{"username": "\#(name)", "email": "\#(name)@example.com", "password": "a good long password"}"#
    }
}
