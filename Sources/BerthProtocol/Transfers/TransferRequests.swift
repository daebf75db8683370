/// What the panel tells the node an instance moves to, before anything is sent: the instance as it will
/// run there (its id kept), and the digest of the single-use token the sending node will present.
public struct IncomingTransfer: Codable, Sendable, Equatable {
    /// The transfer's id (a UUID the panel chose).
    public var transfer: String
    public var specification: InstanceSpecification
    /// SHA-256 (``Secrets``' digest) of the token; the token itself goes only to the sending node.
    public var tokenDigest: String
    /// Whether the instance starts once its files are in place (it ran on the node it leaves).
    public var starts: Bool
    /// A live transfer: the files come twice, a copy made while the instance runs (answered with the
    /// copy's manifest: sizes and block digests), then what changed since, once it is stopped.
    public var live: Bool?

    public init(transfer: String, specification: InstanceSpecification, tokenDigest: String, starts: Bool, live: Bool = false) {
        self.transfer = transfer
        self.specification = specification
        self.tokenDigest = tokenDigest
        self.starts = starts
        self.live = live
    }
}

/// What the panel asks of the node an instance leaves: stop it, and send its files to `target` (the
/// receiving daemon's base URL), trusting only `targetCertificate` (PEM, pinned by the panel), with `token`.
public struct OutgoingTransfer: Codable, Sendable, Equatable {
    public var transfer: String
    public var target: String
    public var targetCertificate: String
    public var token: String
    /// Copy while it runs, stop, then send only what changed (see ``IncomingTransfer/live``).
    public var live: Bool?

    public init(transfer: String, target: String, targetCertificate: String, token: String, live: Bool = false) {
        self.transfer = transfer
        self.target = target
        self.targetCertificate = targetCertificate
        self.token = token
        self.live = live
    }
}

/// How a transfer went, as the sending node reports it: the instance's status on the receiving node,
/// the bytes sent, and how long the instance was stopped for it.
public struct TransferAnswer: Codable, Sendable, Equatable {
    public var status: InstanceStatus
    public var bytesSent: Int64
    public var downtimeMilliseconds: Int
    /// For a live transfer, the bytes of changed blocks sent after the stop.
    public var changedBytes: Int64?

    public init(status: InstanceStatus, bytesSent: Int64, downtimeMilliseconds: Int, changedBytes: Int64? = nil) {
        self.status = status
        self.bytesSent = bytesSent
        self.downtimeMilliseconds = downtimeMilliseconds
        self.changedBytes = changedBytes
    }
}
