import BerthProtocol
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSH

/// Who a connection signed in as: set once the panel accepted a login, read when it opens a session.
final class SFTPConnectionIdentity: Sendable {
    private let box = NIOLockedValueBox<SFTPGrant?>(nil)

    var grant: SFTPGrant? { box.withLockedValue { $0 } }

    func admit(_ grant: SFTPGrant) { box.withLockedValue { $0 = grant } }
}

/// Checks each login with the panel, which knows users, passwords, instances and who may reach which:
/// the daemon keeps none of that. The password travels to the panel inside the node channel's TLS and
/// is never logged.
final class SFTPAuthenticator: NIOSSHServerUserAuthenticationDelegate {
    let panel: PanelConnection?
    let identity: SFTPConnectionIdentity
    let clientAddress: String
    let tasks: BackgroundTasks
    let logger: Logger

    init(panel: PanelConnection?, identity: SFTPConnectionIdentity, clientAddress: String, tasks: BackgroundTasks, logger: Logger) {
        self.panel = panel
        self.identity = identity
        self.clientAddress = clientAddress
        self.tasks = tasks
        self.logger = logger
    }

    /// Keys (ed25519 and ECDSA: what swift-nio-ssh verifies) and passwords. The library checks a key's
    /// signature before asking here, so the panel only decides whether the key is one of the user's.
    var supportedAuthenticationMethods: NIOSSHAvailableUserAuthenticationMethods { [.publicKey, .password] }

    func requestReceived(
        request: NIOSSHUserAuthenticationRequest,
        responsePromise: EventLoopPromise<NIOSSHUserAuthenticationOutcome>
    ) {
        let login: SFTPLoginRequest
        switch request.request {
        case .password(let password):
            login = SFTPLoginRequest(login: request.username, password: password.password, clientAddress: clientAddress)
        case .publicKey(let key):
            login = SFTPLoginRequest(login: request.username, publicKey: String(openSSHPublicKey: key.publicKey), clientAddress: clientAddress)
        default:
            responsePromise.succeed(.failure)
            return
        }
        guard let panel else {
            responsePromise.succeed(.failure)
            return
        }
        let spawned = tasks.spawn { [identity, logger] in
            do {
                let (status, body) = try await panel.ask(login, at: PanelRemoteRoutes.sftpLogin)
                guard status == 200 else {
                    logger.info("sftp: the panel refused the login \(login.login) from \(login.clientAddress) (\(status))")
                    responsePromise.succeed(.failure)
                    return
                }
                let grant = try JSONDecoder().decode(SFTPGrant.self, from: body)
                identity.admit(grant)
                logger.info("sftp: \(grant.username) signed in to \(grant.instanceID) from \(login.clientAddress)")
                responsePromise.succeed(.success)
            } catch {
                logger.warning("sftp: the login \(login.login) could not be checked: the panel cannot be reached (\(error))")
                responsePromise.succeed(.failure)
            }
        }
        if !spawned { responsePromise.succeed(.failure) }
    }
}
