/// One row of a `SELECT key, COUNT(*) ... GROUP BY key`: what the admin pages count per user, node or
/// image, counted by the database instead of by loading every instance.
struct GroupCount<Key: Decodable & Hashable>: Decodable {
    let key: Key
    let count: Int
}
