import BerthHTTP
import Synchronization

/// API keys this panel process has checked against the database, so that a busy key costs no database
/// round trip per request. Entries hold only keys that were valid, under the epoch of ``GrantEpoch`` they
/// were read in; all go when the epoch moves, and none is served unless the epoch was read less than
/// ``GrantEpoch/freshness`` ago (``GrantEpochWatcher`` reads it).
final class VerifiedKeys: Sendable {
    struct Entry: Sendable {
        let secretDigest: String
        let grant: APIKeyGrant
        /// When the key's last use was written, in seconds since 1970.
        var lastUseWritten: Double
    }

    /// What a cache hit gives: the grant, and whether the key's last use is due to be written.
    struct Hit {
        let grant: APIKeyGrant
        let writesLastUse: Bool
    }

    /// The epoch a check read under; an entry is kept only if the epoch has not moved since.
    struct Ticket {
        fileprivate let epoch: Int64
    }

    private struct State {
        var epoch: Int64?
        var freshUntil: ContinuousClock.Instant?
        var entries: [String: Entry] = [:]
    }

    private let state = Mutex(State())
    private let clock = ContinuousClock()
    /// Keys are made by admins, so there are few; the bound is for safety, not for eviction.
    static let capacity = 10_000

    /// The grant of the key `lookup`, when it is cached, fresh and its secret's digest matches (compared in
    /// constant time). `now` is in seconds since 1970, for its last use.
    func grant(lookup: String, secretDigest: String, now: Double) -> Hit? {
        let instant = clock.now
        return state.withLock { state in
            guard let freshUntil = state.freshUntil, instant < freshUntil, var entry = state.entries[lookup],
                Secrets.constantTimeEquals(entry.secretDigest, secretDigest)
            else { return nil }
            let due = now - entry.lastUseWritten >= APIKeyStore.lastUseResolution
            if due {
                entry.lastUseWritten = now
                state.entries[lookup] = entry
            }
            return Hit(grant: entry.grant, writesLastUse: due)
        }
    }

    /// Whether a cached key would be served now (the epoch was read recently enough).
    var isFresh: Bool {
        let instant = clock.now
        return state.withLock { state in state.freshUntil.map { instant < $0 } ?? false }
    }

    /// Taken before reading a key from the database; nil while the cache is not in use.
    func ticket() -> Ticket? {
        state.withLock { state in state.epoch.map(Ticket.init) }
    }

    /// Keeps a key read from the database, unless the epoch moved since `ticket` was taken (the read may
    /// predate the change that moved it).
    func remember(_ entry: Entry, lookup: String, ticket: Ticket) {
        state.withLock { state in
            guard state.epoch == ticket.epoch else { return }
            if state.entries.count >= Self.capacity { state.entries.removeAll() }
            state.entries[lookup] = entry
        }
    }

    /// A reading of the epoch that started at `readingStarted`; it makes the cache fresh only when this
    /// process's register row was written (`registered`) within ``GrantEpoch/livenessProof`` before it.
    func observe(_ epoch: Int64, readingStarted: ContinuousClock.Instant, registered: ContinuousClock.Instant?) {
        state.withLock { state in
            if state.epoch != epoch {
                state.entries.removeAll()
                state.epoch = epoch
            }
            if let registered, readingStarted - registered < GrantEpoch.livenessProof {
                state.freshUntil = readingStarted + GrantEpoch.freshness
            }
        }
    }
}
