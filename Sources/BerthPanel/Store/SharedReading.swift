import Synchronization

/// One reading of the database shared by all who ask while it has not begun, where each asker must get a
/// reading that began after it asked (and so sees every commit that returned before): an asker that finds a
/// reading under way waits for the next one, which begins as soon as that one ends and answers everyone
/// who joined it meanwhile. Under load the database answers one small query per round trip, not one per
/// request, and no answer is older than its question.
final class SharedReading<Value: Sendable>: Sendable {
    private struct Reading {
        let id: Int
        let task: Task<Value, any Error>
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

    init(_ read: @escaping @Sendable () async throws -> Value) {
        self.read = read
    }

    func value() async throws -> Value {
        let task = state.withLock { state in
            if let waiting = state.waiting { return waiting.task }
            let id = state.nextID
            state.nextID += 1
            let previous = state.running?.task
            // Unstructured on purpose: the reading belongs to no one asker, so one that goes away (a client that
            // disconnects) must not cancel it for the rest.
            let task = Task {
                _ = await previous?.result
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
            guard let waiting = state.waiting, waiting.id == id else { return }
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
