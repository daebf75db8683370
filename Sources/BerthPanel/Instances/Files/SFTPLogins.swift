import BerthProtocol
import FluentKit
import Foundation
import Logging

/// Decides SFTP logins for the nodes, which keep no users or passwords of their own. A login is
/// `username.<short instance id>` (the id's first 8 hex digits, more where two instances on the node share
/// them) with the panel password or the account's SFTP password (throttled as the web sign-in is), or one
/// of the account's SFTP keys. Owners, administrators and subusers with files.read get in; without
/// files.write, to read only. An account with two-factor sign-in does not open SFTP with its panel
/// password alone.
package struct SFTPLogins: Sendable {
    let database: PanelDatabase
    let users: UserStore
    let subusers: SubuserStore
    let throttles: SignInThrottles
    let audit: AuditLog
    let credentials: SFTPCredentials
    let logger: Logger

    /// Hex digits of an instance's id a login needs at least.
    package static let shortIDLength = 8

    /// What `request`, sent by `node`, may do there; throws ``PanelError/forbidden(_:)`` with the reason.
    package func login(_ request: SFTPLoginRequest, on node: Node) async throws -> SFTPGrant {
        guard let (name, prefix) = Self.split(request.login) else {
            throw PanelError.forbidden("sign in as your username, a dot and the instance's short id (alice.1a2b3c4d)")
        }
        let account = name.lowercased()
        let found = try await users.find(.username(name))
        let user: User
        if let offered = request.publicKey {
            // Keys cannot be guessed, and a client tries each of its keys in turn: no throttling here.
            guard let found, try await credentials.holds(offered, of: found) else {
                throw PanelError.forbidden("that key is not one of this account's SFTP keys")
            }
            user = found
        } else {
            if let refusal = try await throttles.refusal(client: request.clientAddress, account: account) {
                throw PanelError.forbidden(refusal.message)
            }
            guard let password = request.password, try await Self.passwordOpensSFTP(password, of: found), let found else {
                try await throttles.recordFailure(client: request.clientAddress, account: account)
                await audit.record("sftp.login.failed", target: account, actor: .visitor, clientAddress: request.clientAddress, logger: logger)
                throw PanelError.forbidden("wrong username or password")
            }
            try await throttles.recordSuccess(client: request.clientAddress, account: account)
            user = found
        }
        let instance = try await instance(startingWith: prefix, on: node, for: user)
        let grant = try await grant(for: user, on: instance)
        await audit.record(
            "sftp.login",
            target: instance.name,
            instance: instance.id,
            actor: .user(user.username),
            clientAddress: request.clientAddress,
            logger: logger
        )
        return grant
    }

    /// Whether `password` opens SFTP for `user`: the SFTP password when one is set, and the panel password
    /// unless the account has a second factor, which the panel password alone must not get past. Without a
    /// user, a dummy hash is checked all the same, so the answer takes as long.
    static func passwordOpensSFTP(_ password: String, of user: User?) async throws -> Bool {
        if let user, let sftpHash = user.sftpPasswordHash, try await Passwords.verify(password, hash: sftpHash) { return true }
        let matchesPanelPassword = try await Passwords.verify(password, hash: user?.passwordHash)
        return matchesPanelPassword && user?.hasTwoFactor == false
    }

    /// The grant as it stands now for a session `node` holds open; throws ``PanelError/forbidden(_:)`` once
    /// it is gone.
    package func access(_ request: SFTPAccessRequest, on node: Node) async throws -> SFTPGrant {
        guard let id = UUID(uuidString: request.instanceID),
            let instance = try await Instance.query(on: database.db()).filter(\.$id == id).filter(\.$node.$id == node.requireID()).first(),
            let user = try await users.find(.userID(request.userID))
        else {
            throw PanelError.forbidden("the user or the instance is gone")
        }
        return try await grant(for: user, on: instance)
    }

    /// Writes what SFTP sessions on `node` changed into the audit log, each entry with its instance (so it
    /// shows in that instance's Activity); entries about instances on other nodes are left out.
    package func record(_ batch: SFTPActivityBatch, from node: Node) async throws {
        let ids = Set(batch.entries.compactMap { UUID(uuidString: $0.instanceID) })
        let own =
            ids.isEmpty
            ? []
            : Set(
                try await Instance.query(on: database.db()).filter(\.$id ~~ Array(ids)).filter(\.$node.$id == node.requireID()).all().compactMap(\.id)
            )
        var events = batch.entries.compactMap { entry -> AuditEvent? in
            guard let id = UUID(uuidString: entry.instanceID), own.contains(id) else { return nil }
            return AuditEvent(
                actor: .user(String(entry.username.prefix(64))),
                action: String(entry.action.prefix(64)),
                target: String(entry.target.prefix(512)),
                clientAddress: String(entry.clientAddress.prefix(64)),
                instanceID: id
            )
        }
        if batch.dropped > 0 {
            events.append(
                AuditEvent(
                    actor: .visitor,
                    action: "sftp.unrecorded",
                    target: "\(batch.dropped) SFTP change(s) on node \(node.name) could not be recorded while the panel was away",
                    clientAddress: "",
                    instanceID: nil
                )
            )
        }
        try await events.create(on: database.db())
    }

    private func grant(for user: User, on instance: Instance) async throws -> SFTPGrant {
        let id = try instance.requireID()
        guard !instance.suspended else { throw PanelError.forbidden("the instance is suspended") }
        guard !instance.deleting else { throw PanelError.forbidden("the instance is being deleted") }
        guard let role = try await subusers.role(of: user.userID, admin: user.admin, on: id, ownedBy: instance.ownerUserID),
            role.may(.filesRead)
        else {
            throw PanelError.forbidden("you may not reach this instance's files")
        }
        try await instance.$image.load(on: database.db())
        return SFTPGrant(
            instanceID: id.uuidString.lowercased(),
            userID: user.userID,
            username: user.username,
            readOnly: !role.may(.filesWrite),
            deniedPatterns: role == .administrator ? [] : instance.image.decodedDefinition?.fileDenylist ?? []
        )
    }

    /// The one instance on `node` whose id starts with `prefix`; none, or several, is a refusal that
    /// does not say whether instances the user does not reach exist.
    private func instance(startingWith prefix: String, on node: Node, for user: User) async throws -> Instance {
        let candidates = try await Instance.query(on: database.db()).filter(\.$node.$id == node.requireID()).all()
            .filter { ($0.id?.uuidString.lowercased().replacingOccurrences(of: "-", with: "") ?? "").hasPrefix(prefix) }
        guard candidates.count == 1, let instance = candidates.first else {
            throw PanelError.forbidden(
                candidates.isEmpty
                    ? "no instance \(prefix) that you reach on this node"
                    : "several instances start with \(prefix); give more of the id"
            )
        }
        return instance
    }

    /// The username and the instance id's digits (lowercase, without dashes) of `login`.
    static func split(_ login: String) -> (name: String, prefix: String)? {
        guard let dot = login.lastIndex(of: ".") else { return nil }
        let name = String(login[..<dot])
        let prefix = login[login.index(after: dot)...].lowercased().replacingOccurrences(of: "-", with: "")
        guard !name.isEmpty, prefix.count >= shortIDLength, prefix.count <= 32, prefix.allSatisfy(\.isHexDigit) else { return nil }
        return (name, prefix)
    }
}
