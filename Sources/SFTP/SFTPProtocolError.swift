/// Why a session ended: the client broke the protocol or went past a limit. The caller closes the channel.
public enum SFTPProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A packet announced this length, more than ``SFTPServerLimits/maximumPacketLength``.
    case packetTooLarge(Int)
    /// The client asked for one handle more than the limit, which this carries.
    case tooManyHandles(Int)
    /// A packet's fields did not fit it; the text says which.
    case malformed(String)
    /// A request came before INIT.
    case versionNotNegotiated
    /// A second INIT came.
    case versionNegotiatedTwice

    public var description: String {
        switch self {
        case .packetTooLarge(let length): "an SFTP packet of \(length) bytes is larger than allowed"
        case .tooManyHandles(let limit): "an SFTP session may hold at most \(limit) open handles"
        case .malformed(let reason): "a malformed SFTP packet: \(reason)"
        case .versionNotNegotiated: "an SFTP request came before INIT"
        case .versionNegotiatedTwice: "an SFTP session sent INIT twice"
        }
    }
}
