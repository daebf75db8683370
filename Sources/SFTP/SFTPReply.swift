import NIOCore

/// What the server answers: one reply per request, each encoded as one whole packet.
enum SFTPReply {
    case version(extensions: [(name: String, version: String)])
    case status(id: UInt32, SFTPStatus, message: String)
    case handle(id: UInt32, SFTPHandle)
    case data(id: UInt32, ByteBuffer)
    /// NAME: each entry's long name is sent as given (empty when it has none).
    case names(id: UInt32, [SFTPDirectoryEntry])
    case attributes(id: UInt32, SFTPAttributes)
    /// EXTENDED_REPLY; every reply of the extensions offered is a row of uint64 figures.
    case extended(id: UInt32, [UInt64])

    /// The version of the protocol this server speaks.
    static let protocolVersion: UInt32 = 3

    /// A success STATUS.
    static func ok(id: UInt32) -> SFTPReply { .status(id: id, .ok, message: "OK") }

    /// The STATUS that reports `error`: a refusal with its own status and message, anything else FAILURE
    /// with its description.
    static func status(id: UInt32, reporting error: any Error) -> SFTPReply {
        if let refusal = error as? SFTPError {
            return .status(id: id, refusal.status, message: refusal.message)
        }
        return .status(id: id, .failure, message: String(describing: error))
    }
}
