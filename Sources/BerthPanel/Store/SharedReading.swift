import Synchronization

/// One reading of the database shared by all who ask while it has not begun, where each asker must get a
/// reading that began after it asked (and so sees every commit that returned before): an asker that finds a
/// reading under way waits for the next one, which begins as soon as that one ends and answers everyone
/// who joined it meanwhile, and no sooner than ``spacing`` after that one began. Under load the database
/// answers one small query per `spacing` or per round trip, whichever is longer, not one per request, and no
/// answer is older than its question; an asker that finds none under way is answered at once.
final class SharedReading<Value: Sendable>: Sendable {
    private struct Reading {
        let id: Int
        let task: Task<Value, any Error>
        /// When its query began; nil while it waits.
        var began: ContinuousClock.Instant?
    }

    private struct State {
        var nextID = 0
        /// The reading not begun yet, which askers join.
        var waiting: Reading?
        /// The reading under way, which the next waits for.
        var running: Reading?
    }

    private let state = Mutex(State())
    private let read: @Sendable () async throws -> Value
    /// The least time between the beginnings of two readings under load: a round trip to a database on the
    /// same machine is a fraction of a millisecond, so back to back they would each answer only a few
    /// requests while costing the database a query each.
    private let spacing: Duration

    init(spacing: Duration = .milliseconds(1), _ read: @escaping @Sendable () async throws -> Value) {
        self.spacing = spacing
        self.read = read
    }

    func value() async throws -> Value {
        let task = state.withLock { state in
            if let waiting = state.waiting { return waiting.task }
            let id = state.nextID
            state.nextID += 1
            let previous = state.running
            let spacing = spacing
            // Unstructured on purpose: the reading belongs to no one asker, so one that goes away (a client that
            // disconnects) must not cancel it for the rest.
            let task = Task {
                if let previous {
                    _ = await previous.task.result
                    if let began = previous.began { try? await Task.sleep(until: began + spacing) }
                }
                begin(id)
                defer { end(id) }
                return try await read()
            }
            state.waiting = Reading(id: id, task: task)
            return task
        }
        return try await task.value
    }

    /// The waiting reading `id` begins: from now on, askers wait for the one after it.
    private func begin(_ id: Int) {
        state.withLock { state in
            guard var waiting = state.waiting, waiting.id == id else { return }
            waiting.began = .now
            state.running = waiting
            state.waiting = nil
        }
    }

    private func end(_ id: Int) {
        state.withLock { state in
            if state.running?.id == id { state.running = nil }
        }
    }
}
