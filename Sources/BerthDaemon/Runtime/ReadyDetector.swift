/// Watches console output for a text that means an instance is up, even when it arrives split across chunks.
struct ReadyDetector {
    /// Any one of them means ready.
    let patterns: [String]
    private var recent = ""

    init(patterns: [String]) {
        self.patterns = patterns.filter { !$0.isEmpty }
    }

    /// An instance without a pattern is ready as soon as it starts.
    var isReadyAtStart: Bool { patterns.isEmpty }

    /// Adds output; true when a pattern has appeared.
    mutating func feed(_ text: String) -> Bool {
        guard let longest = patterns.map(\.count).max() else { return true }
        recent += text
        if patterns.contains(where: recent.contains) { return true }
        // Keep only what could still be the start of a match.
        recent = String(recent.suffix(longest))
        return false
    }
}
