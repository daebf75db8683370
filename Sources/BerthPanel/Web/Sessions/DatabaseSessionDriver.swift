import BerthHTTP
import FluentKit
import Foundation
import Hummingbird
import ServiceLifecycle

/// Keeps web sessions in the panel's database, so they survive restarts and are shared by every panel
/// process on the same database. Keys are stored as digests: a copy of the table signs no one in.
struct DatabaseSessionDriver: PersistDriver {
    let database: PanelDatabase

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        guard try await SessionRecord.find(Secrets.digest(key), on: database.database) == nil else { throw PersistError.duplicate }
        try await SessionRecord(keyDigest: Secrets.digest(key), value: try encode(value), expiresAt: expires.map(Self.date)).create(on: database.database)
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let digest = Secrets.digest(key)
        if let record = try await SessionRecord.find(digest, on: database.database) {
            record.value = try encode(value)
            if let expires { record.expiresAt = Self.date(expires) }
            try await record.save(on: database.database)
        } else {
            try await SessionRecord(keyDigest: digest, value: try encode(value), expiresAt: expires.map(Self.date)).create(on: database.database)
        }
    }

    func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: type)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        guard let record = try await SessionRecord.find(Secrets.digest(key), on: database.database) else { return nil }
        if let expiresAt = record.expiresAt, expiresAt <= Date() {
            try await record.delete(on: database.database)
            return nil
        }
        guard let object = try? JSONDecoder().decode(type, from: Data(record.value.utf8)) else { throw PersistError.invalidConversion }
        return (object, record.expiresAt.map { .seconds($0.timeIntervalSinceNow) })
    }

    func remove(key: String) async throws {
        try await SessionRecord.query(on: database.database).filter(\.$id == Secrets.digest(key)).delete()
    }

    /// Removes expired sessions every quarter of an hour, until the panel shuts down.
    func run() async throws {
        await cancelWhenGracefulShutdown {
            repeat {
                try? await SessionRecord.query(on: database.database).filter(\.$expiresAt < Date()).delete()
            } while (try? await Task.sleep(for: .seconds(15 * 60))) != nil
        }
    }

    private func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    private static func date(_ duration: Duration) -> Date {
        Date().addingTimeInterval(Double(duration.components.seconds))
    }
}
