/// How a node keeps instances within their disk limits, said by the daemon when it starts.
public struct DiskLimitSupport: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable {
        /// Each limited instance's files live on a file system of their own, an image the size of the limit.
        case imagePerInstance = "image-per-instance"
        /// The volumes share one file system that keeps a project quota for each instance's folder; limits
        /// change while instances run.
        case projectQuota = "project-quota"
        /// The node cannot enforce limits; instances with one are refused.
        case unavailable
    }

    public var mode: Mode
    /// What the mode means on this node, or why limits cannot be enforced and what would let them.
    public var detail: String

    public init(mode: Mode, detail: String) {
        self.mode = mode
        self.detail = detail
    }

    public var enforces: Bool { mode != .unavailable }
}

/// What an instance's files take, and of which limit.
public struct DiskUsage: Codable, Sendable, Equatable {
    public var usedBytes: Int64
    /// The instance's disk limit; nil for an instance without one, whose files are counted now and then
    /// rather than measured at once.
    public var limitBytes: Int64?
    /// What the instance may still write: the limit less its files, give or take what the file system
    /// keeps for itself; nil without a limit.
    public var availableBytes: Int64?

    public init(usedBytes: Int64, limitBytes: Int64? = nil, availableBytes: Int64? = nil) {
        self.usedBytes = usedBytes
        self.limitBytes = limitBytes
        self.availableBytes = availableBytes
    }

    /// The limit reached, or less than a hundredth of it (and at most 256 KiB) left: what the server
    /// writes next fails. (The image gives a little more than the limit, and ext4 keeps some of what it
    /// says is free for its own bookkeeping.)
    public var isFull: Bool {
        guard let limitBytes, let availableBytes else { return false }
        return usedBytes >= limitBytes || availableBytes < max(limitBytes / 100, 256 << 10)
    }
}
