import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Turns what NIO and TLS report into an `SMTPError` whose sentence says what went wrong in an administrator's
/// terms (refused, untrusted certificate, wrong port for the security chosen) and what to check.
enum ConnectionFailure {
    /// A failure to connect at all.
    static func explained(_ error: any Error, connectingTo server: SMTPServer, timeout: Duration) -> any Error {
        if error is SMTPError || error is CancellationError { return error }
        if case ChannelError.connectTimeout = error {
            return SMTPError.timedOut("no connection to \(server.endpoint) within \(timeout); check the host, the port and any firewall between")
        }
        if let error = error as? NIOConnectionError {
            guard !error.connectionErrors.isEmpty else {
                return SMTPError.connectionFailed("the host name \(server.host) does not resolve; check the host")
            }
            let causes = error.connectionErrors.map { "\($0.target): \(reason($0.error))" }
            return SMTPError.connectionFailed("cannot connect to \(server.endpoint) (\(causes.joined(separator: "; "))); check the host and port")
        }
        return SMTPError.connectionFailed("cannot connect to \(server.endpoint) (\(reason(error))); check the host and port")
    }

    /// A failure of an open connection while waiting for the reply to `step`; `secure` when TLS was in play.
    static func explained(_ error: any Error, during step: String, with server: SMTPServer, secure: Bool) -> any Error {
        if error is SMTPError || error is CancellationError { return error }
        guard secure, isTLSFailure(error) else {
            return SMTPError.connectionFailed("the connection to \(server.endpoint) failed at \(step) (\(reason(error)))")
        }
        return SMTPError.connectionFailed("TLS with \(server.endpoint) failed: \(tlsReason(error, server: server))")
    }

    /// The sentence for a step that got no reply in time.
    static func noReply(to step: String, from server: SMTPServer, within timeout: Duration) -> String {
        let hint =
            step == "the greeting" && server.security != .tls
            ? "; if the port expects TLS from the first byte (often 465), choose TLS" : ""
        return "\(server.endpoint) sent no reply to \(step) within \(timeout)\(hint)"
    }

    private static func isTLSFailure(_ error: any Error) -> Bool {
        error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError
    }

    private static func tlsReason(_ error: any Error, server: SMTPServer) -> String {
        let text = String(describing: error)
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            return "its certificate is not made out for \(server.host); connect by a name the certificate carries"
        }
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "its certificate is not trusted (not signed by a trusted authority, nor among the certificates to trust); "
                + "for a self-signed certificate, add it to the trusted certificates"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") || text.contains("HTTP_REQUEST") {
            return "the server did not answer in TLS; if the port expects plain text first (often 587), choose STARTTLS"
        }
        return text
    }

    /// An operating-system error as its message ("Connection refused"), anything else as it describes itself.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        return String(describing: error)
    }
}
