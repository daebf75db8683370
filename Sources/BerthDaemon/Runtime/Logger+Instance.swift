import Logging

extension Logger {
    /// This logger with the instance its lines are about in their metadata (`instance`), so that a log
    /// collector can gather one instance's lines from a node's.
    func about(instance id: String) -> Logger {
        var logger = self
        logger[metadataKey: "instance"] = .string(id)
        return logger
    }
}
