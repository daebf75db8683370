import SQLKit

/// A lease on one kind of background work, so that of the panel processes sharing a database one does it
/// at a time: taken with one conditional upsert, which succeeds for the process that holds it (renewing it)
/// or when it has expired. A process that dies holding it is replaced once it expires.
struct WorkLease: Sendable {
    let database: PanelDatabase
    /// What the work is, e.g. `unfinished-work`.
    let name: String
    /// The process asking (``Panel/process``).
    let holder: String

    static let table = "work_leases"

    /// Takes or renews the lease for `seconds`; false while another live process holds it.
    func take(for seconds: Double) async throws -> Bool {
        let now = database.clock
        let rows = try await database.sql().raw(
            """
            INSERT INTO \(unsafeRaw: Self.table) (name, holder, expires_at) VALUES (\(bind: name), \(bind: holder), \(unsafeRaw: now) + \(bind: seconds)) \
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
            WHERE \(unsafeRaw: Self.table).holder = excluded.holder OR \(unsafeRaw: Self.table).expires_at < \(unsafeRaw: now) \
            RETURNING name
            """
        ).all()
        return !rows.isEmpty
    }
}
