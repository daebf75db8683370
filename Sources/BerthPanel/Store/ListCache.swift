import BerthHTTP
import Hummingbird
import Synchronization

/// The JSON of the panel's whole lists (every instance, every user) as last written, kept for as long as
/// the database says nothing in the list changed. A dashboard polling ten thousand instances then costs one
/// small query and bytes already written, where writing them costs half a second of a core; and requests
/// that ask at once while the list is being written share that one writing (``SharedBody``).
///
/// As strict as reading the rows: each request reads the list's counter, which triggers move in the
/// transaction of any change to what the list shows (``CreateListEpochs``), in this process or any other
/// on the same database (a reading that costs no query on SQLite while nothing was committed, ``ListEpochReader``). A copy is served only to a request whose reading of the counter is not newer than
/// the copy's, and a copy is tagged with the counter read before its rows were, so a change committed
/// after a request started reading is never missing from what a later one is served.
final class ListCache: Sendable {
    enum List: String, CaseIterable, Sendable {
        case instances, users
    }

    static let table = "list_epochs"

    private let epochs: ListEpochReader
    private let copies = Mutex<[List: (epoch: Int64, body: SharedBody)]>([:])

    init(epochs: ListEpochReader) {
        self.epochs = epochs
    }

    /// The list's JSON: the copy when the list has not changed since it was written, else a new writing
    /// through `write`, which hands its chunks to the sink it is given.
    func response(
        for list: List,
        writtenBy write: @escaping @Sendable (_ sink: (ByteBuffer) -> Void) async throws -> Void
    ) async throws -> Response {
        let epoch = try await epoch(of: list)
        let (body, isNew) = copies.withLock { copies in
            if let copy = copies[list], copy.epoch >= epoch { return (copy.body, false) }
            let body = SharedBody()
            copies[list] = (epoch, body)
            return (body, true)
        }
        // Written apart from this request, so one whose client leaves does not cut the others' answers.
        if isNew {
            Task {
                do {
                    try await write { body.append($0) }
                    body.finish()
                } catch {
                    body.finish(throwing: error)
                    copies.withLock { copies in
                        if copies[list]?.body === body { copies[list] = nil }
                    }
                }
            }
        }
        return try await body.jsonResponse()
    }

    /// The list's counter as the database has it now.
    func epoch(of list: List) async throws -> Int64 {
        try await epochs.current()[list]
    }
}
