import BerthProtocol
import NIOConcurrencyHelpers
import NIOCore

/// The SFTP connections that have a session open, with the grant each signed in with: what is cut off
/// when access is taken away.
final class SFTPSessions: Sendable {
    struct Session: Sendable {
        let grant: SFTPGrant
        /// The SSH connection: closing it ends every channel on it.
        let connection: any Channel
    }

    private let open = NIOLockedValueBox<[ObjectIdentifier: Session]>([:])
    /// Every connection, signed in or not, with a session or not: what shutting down closes.
    private let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    /// Keeps `connection` until it closes.
    func track(_ connection: any Channel) {
        let key = ObjectIdentifier(connection)
        connections.withLockedValue { $0[key] = connection }
        connection.closeFuture.whenComplete { [connections] _ in
            _ = connections.withLockedValue { $0.removeValue(forKey: key) }
        }
    }

    /// Closes every connection: a session waiting for its subsystem then ends too.
    func closeAll() {
        for connection in connections.withLockedValue({ Array($0.values) }) { connection.close(promise: nil) }
    }

    func add(_ connection: any Channel, grant: SFTPGrant) {
        open.withLockedValue { $0[ObjectIdentifier(connection)] = Session(grant: grant, connection: connection) }
    }

    func remove(_ connection: any Channel) {
        _ = open.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    var all: [Session] { open.withLockedValue { Array($0.values) } }

    /// Closes every connection whose grant `matches`; how many were closed.
    @discardableResult
    func cutOff(where matches: (SFTPGrant) -> Bool) -> Int {
        let closing = open.withLockedValue { sessions in
            let matching = sessions.filter { matches($0.value.grant) }
            for key in matching.keys { sessions.removeValue(forKey: key) }
            return Array(matching.values)
        }
        for session in closing { session.connection.close(promise: nil) }
        return closing.count
    }
}
