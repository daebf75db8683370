import Foundation

/// A change a daemon reports to the panel at `POST /api/remote/events`, in order, retried until delivered.
public struct InstanceEvent: Codable, Sendable, Equatable {
    /// Grows with every event a daemon emits, across its restarts too (the larger of the last one plus one
    /// and the time in milliseconds), so the panel can drop repeats and stale events after a retry.
    public var sequence: Int
    public var status: InstanceStatus
    /// Milliseconds since 1970.
    public var time: Int64
    /// The server's last lines of output, when this event is its crash.
    public var lastLines: [String]?

    public init(sequence: Int, status: InstanceStatus, time: Int64, lastLines: [String]? = nil) {
        self.sequence = sequence
        self.status = status
        self.time = time
        self.lastLines = lastLines
    }
}

/// A batch of events, oldest first.
public struct InstanceEventBatch: Codable, Sendable, Equatable {
    public var events: [InstanceEvent]

    public init(events: [InstanceEvent]) {
        self.events = events
    }
}
