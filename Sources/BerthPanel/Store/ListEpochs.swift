import Foundation
import SQLKit
import Synchronization

/// The counters that triggers move in the transaction of any change to what the panel's lists show
/// (``CreateListEpochs``): a copy of something they cover, read when they stood where they stand now, is
/// still what the database would answer.
struct ListEpochs: Equatable, Sendable {
    var instances: Int64
    var users: Int64

    subscript(list: ListCache.List) -> Int64 {
        switch list {
        case .instances: instances
        case .users: users
        }
    }

    /// Whether these were read no earlier than `other`: each counter only grows.
    func isAtLeast(_ other: ListEpochs) -> Bool {
        instances >= other.instances && users >= other.users
    }
}

/// Reads ``ListEpochs`` as the database has them now. On SQLite the reading is free while the database's
/// commit counter (``SQLiteChangeCounter``) stands where it stood at the last query: no commit since, so
/// the counters cannot have moved. On PostgreSQL, or while SQLite's counter cannot be read or has moved, it
/// is a small query shared by the requests that ask at once (``SharedReading``).
final class ListEpochReader: Sendable {
    private let database: PanelDatabase
    private let last = Mutex<Reading?>(nil)
    private let shared: SharedReading<ListEpochs>

    private struct Reading {
        /// The commit counter read before the query that found `epochs`.
        let change: UInt32
        let epochs: ListEpochs
        let fileChecked: ContinuousClock.Instant
    }

    /// How often the `-shm` file is checked to still be the database's (``SQLiteChangeCounter/isStillTheFile``).
    static let fileCheckInterval: Duration = .seconds(1)

    init(database: PanelDatabase) {
        self.database = database
        shared = SharedReading { try await Self.query(database) }
    }

    func current() async throws -> ListEpochs {
        guard let counter = database.changeCounter, let change = counter.current else { return try await shared.value() }
        let now = ContinuousClock.now
        if let reading = last.withLock({ $0 }), reading.change == change, now - reading.fileChecked < Self.fileCheckInterval {
            return reading.epochs
        }
        guard counter.isStillTheFile else { return try await shared.value() }
        // A reading that began after `change` was read, as the shared reading's are.
        let epochs = try await shared.value()
        last.withLock { $0 = Reading(change: change, epochs: epochs, fileChecked: now) }
        return epochs
    }

    private static func query(_ database: PanelDatabase) async throws -> ListEpochs {
        struct Row: Decodable {
            let id: String
            let value: Int64
        }
        let rows = try await database.sql().raw("SELECT id, value FROM \(unsafeRaw: ListCache.table)").all(decoding: Row.self)
        let values = Dictionary(rows.map { ($0.id, $0.value) }, uniquingKeysWith: max)
        return ListEpochs(instances: values[ListCache.List.instances.rawValue] ?? 0, users: values[ListCache.List.users.rawValue] ?? 0)
    }
}
