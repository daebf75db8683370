import NIOCore
import NIOSSL

/// What the client writes to the server: a command line, or the message in DATA; each gets exactly one reply.
struct SMTPRequest: Sendable {
    var bytes: ByteBuffer
    /// Set on STARTTLS: the TLS the connection switches to as soon as the server agrees.
    var upgrade: TLSUpgrade?
}

/// How to start TLS on a connection: the verifying context and the name the certificate must carry.
struct TLSUpgrade: Sendable {
    let context: NIOSSLContext
    /// The server's host name for SNI and hostname verification; nil for an IP address, which NIOSSL then checks
    /// against the certificate's IP addresses (SNI carries no addresses).
    let serverHostname: String?

    func makeHandler() throws -> NIOSSLClientHandler {
        try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
    }
}
