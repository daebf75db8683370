import BerthHTTP
import FluentKit
import Foundation
import Hummingbird
import Logging
import SQLKit
import ServiceLifecycle

/// Keeps what the web UI persists (its sessions) in the panel's database, so it survives restarts and is
/// shared by every panel process on the same database. Keys are stored as digests: a copy of the table
/// signs no one in.
package struct DatabasePersistDriver: PersistDriver {
    let database: PanelDatabase
    let logger: Logger

    package func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        guard try await SessionRecord.find(Secrets.digest(key), on: database.db()) == nil else { throw PersistError.duplicate }
        try await SessionRecord(keyDigest: Secrets.digest(key), value: try encode(value), expiresAt: expires.map(Self.date)).create(on: database.db())
    }

    package func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let digest = Secrets.digest(key)
        if let record = try await SessionRecord.find(digest, on: database.db()) {
            record.value = try encode(value)
            if let expires { record.expiresAt = Self.date(expires) }
            try await record.save(on: database.db())
        } else {
            try await SessionRecord(keyDigest: digest, value: try encode(value), expiresAt: expires.map(Self.date)).create(on: database.db())
        }
    }

    package func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: type)?.object
    }

    package func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        guard let record = try await SessionRecord.find(Secrets.digest(key), on: database.db()) else { return nil }
        if let expiresAt = record.expiresAt, expiresAt <= Date() {
            try await record.delete(on: database.db())
            return nil
        }
        guard let object = try? JSONDecoder().decode(type, from: Data(record.value.utf8)) else { throw PersistError.invalidConversion }
        return (object, record.expiresAt.map { .seconds($0.timeIntervalSinceNow) })
    }

    package func remove(key: String) async throws {
        try await SessionRecord.query(on: database.db()).filter(\.$id == Secrets.digest(key)).delete()
    }

    /// Removes expired entries every quarter of an hour, until the panel shuts down; a minute after a sweep
    /// that found the database busy.
    package func run() async throws {
        await cancelWhenGracefulShutdown {
            var pause: Duration
            repeat {
                do {
                    try await removeExpired()
                    pause = .seconds(15 * 60)
                } catch {
                    logger.warning("expired sessions could not be removed, and are tried again in a minute: \(error)")
                    pause = .seconds(60)
                }
            } while (try? await Task.sleep(for: pause)) != nil
        }
    }

    /// Removes the entries that have expired; a file another writer holds fails it at once.
    package func removeExpired() async throws {
        try await database.withBriefWaitForTheLock { sql in
            try await sql.raw("DELETE FROM \(ident: SessionRecord.schema) WHERE expires_at < \(bind: Date())").run()
        }
    }

    private func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    private static func date(_ duration: Duration) -> Date {
        Date().addingTimeInterval(Double(duration.components.seconds))
    }
}
