/// Watches console output for the text that means an instance is up, even when it arrives split across chunks.
struct ReadyDetector {
    let pattern: String?
    private var recent = ""

    init(pattern: String?) {
        self.pattern = pattern.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An instance without a pattern is ready as soon as it starts.
    var isReadyAtStart: Bool { pattern == nil }

    /// Adds output; true when the pattern has appeared.
    mutating func feed(_ text: String) -> Bool {
        guard let pattern else { return true }
        recent += text
        if recent.contains(pattern) { return true }
        // Keep only what could still be the start of a match.
        recent = String(recent.suffix(pattern.count))
        return false
    }
}
