import Synchronization

/// Answers read from the database, each kept under the ``ListEpochs`` that stood when it was read and served
/// only while they still stand there: as strict as reading again, because the triggers behind the epochs
/// move them in the transaction of any change to what these answers show, in any process.
///
/// A copy is tagged with the epochs read *before* its query, so a change committed between the two makes
/// the copy look older than it is (dropped sooner), never newer.
final class EpochCopies<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var epochs: ListEpochs?
        var values: [Key: Value] = [:]
    }

    private let state = Mutex(State())
    private let epochs: ListEpochReader
    /// The most copies kept; past it they all go, which costs one query each to refill.
    private let capacity: Int

    init(epochs: ListEpochReader, capacity: Int) {
        self.epochs = epochs
        self.capacity = capacity
    }

    /// The copy for `key` while nothing it shows changed, else what `read` reads now (kept for the next).
    func value(for key: Key, read: () async throws -> Value) async throws -> Value {
        let current = try await epochs.current()
        if let copy = state.withLock({ $0.epochs == current ? $0.values[key] : nil }) { return copy }
        let value = try await read()
        state.withLock { state in
            if state.epochs != current {
                // Another request may have moved on to newer epochs meanwhile; then this copy is already old.
                guard state.epochs.map(current.isAtLeast) ?? true else { return }
                state = State(epochs: current)
            }
            if state.values.count >= capacity { state.values.removeAll(keepingCapacity: true) }
            state.values[key] = value
        }
        return value
    }
}
