import BerthHTTP
import FluentKit
import Foundation
import SQLKit

/// Invitations to one instance for someone who has no account yet: a link in a letter, good for 7 days
/// and once. Whoever opens it makes an account with the invited address and becomes a subuser with the
/// permissions the invitation names. Links are kept only as their SHA-256 digests.
package struct Invitations: Sendable {
    let database: PanelDatabase
    let users: UserStore
    let mailer: Mailer
    let publicURL: String

    static let table = "invitations"
    static let lifetime: TimeInterval = 7 * 24 * 60 * 60

    /// An invitation as the instance's Subusers card and `/api/v1` show it.
    package struct Pending: Codable, Sendable, Equatable {
        package let email: String
        package let permissions: [String]
        package let expiresAt: String
    }

    /// What the invitation page shows its guest.
    package struct Opened: Sendable {
        package let email: String
        package let instanceName: String
        package let permissions: Set<InstancePermission>
    }

    private struct Row: Decodable {
        let instanceID: UUID
        let emailKey: String
        let permissions: String
        let expiresAt: Double

        enum CodingKeys: String, CodingKey {
            case instanceID = "instance_id"
            case emailKey = "email_key"
            case permissions
            case expiresAt = "expires_at"
        }
    }

    /// Invites `email` to the instance and sends the letter. A second invitation to the same address
    /// replaces the first, with a new link.
    package func invite(
        _ email: String,
        to instanceID: UUID,
        named instanceName: String,
        permissions: Set<InstancePermission>,
        by inviter: String
    ) async throws -> Pending {
        guard UserStore.isEmailAddress(email) else { throw PanelError.invalid("user must be a username or an e-mail address") }
        guard try await mailer.isConfigured() else {
            throw PanelError.notFound(
                "there is no user with the e-mail address \(email), and invitations need e-mail, which no admin has set up"
            )
        }
        let token = Secrets.generate()
        let now = Date().timeIntervalSince1970
        let key = email.lowercased()
        // One statement, so two invitations of one address at once leave one row rather than a refused insert.
        try await database.sql().insert(into: Self.table)
            .columns("token_digest", "instance_id", "email_key", "permissions", "created_at", "expires_at")
            .values(
                SQLBind(Secrets.digest(token)),
                SQLBind(instanceID),
                SQLBind(key),
                SQLBind(InstancePermission.stored(permissions)),
                SQLBind(now),
                SQLBind(now + Self.lifetime)
            )
            .onConflict(with: ["instance_id", "email_key"]) { update in
                update.set(excludedValueOf: "token_digest").set(excludedValueOf: "permissions")
                    .set(excludedValueOf: "created_at").set(excludedValueOf: "expires_at")
            }
            .run()
        let allowed = permissions.sorted().map { "- \($0.summary)" }.joined(separator: "\n")
        mailer.post(
            Letter(
                to: email,
                subject: "\(inviter) invites you to \(instanceName) on Berth",
                text: """
                    Hello,

                    \(inviter) invites you to the server \(instanceName) on \(publicURL), where you may:
                    \(allowed)

                    To accept, open this link within 7 days and choose a username and password; it works once:

                    \(publicURL)/invitations/\(token)

                    If you do not know \(inviter), ignore this letter.
                    """
            )
        )
        return Pending(email: key, permissions: permissions.sorted().map(\.rawValue), expiresAt: Self.format(now + Self.lifetime))
    }

    /// The invitations an instance has out.
    package func pending(on instanceID: UUID) async throws -> [Pending] {
        try await database.sql().select().columns("instance_id", "email_key", "permissions", "expires_at").from(Self.table)
            .where("instance_id", .equal, SQLBind(instanceID))
            .where("expires_at", .greaterThan, SQLBind(Date().timeIntervalSince1970))
            .orderBy("created_at")
            .all(decoding: Row.self)
            .map {
                Pending(
                    email: $0.emailKey,
                    permissions: InstancePermission.fromStored($0.permissions).sorted().map(\.rawValue),
                    expiresAt: Self.format($0.expiresAt)
                )
            }
    }

    /// Withdraws the invitation of `email`; its link stops working.
    package func withdraw(_ email: String, on instanceID: UUID) async throws {
        try await database.sql().delete(from: Self.table)
            .where("instance_id", .equal, SQLBind(instanceID)).where("email_key", .equal, SQLBind(email.lowercased()))
            .run()
    }

    /// The invitation behind a link, while it is good.
    package func open(_ token: String) async throws -> Opened? {
        guard Secrets.isGenerated(token),
            let row = try await database.sql().select().columns("instance_id", "email_key", "permissions", "expires_at").from(Self.table)
                .where("token_digest", .equal, SQLBind(Secrets.digest(token)))
                .where("expires_at", .greaterThan, SQLBind(Date().timeIntervalSince1970))
                .first(decoding: Row.self),
            let instance = try await Instance.find(row.instanceID, on: database.db())
        else { return nil }
        return Opened(email: row.emailKey, instanceName: instance.name, permissions: InstancePermission.fromStored(row.permissions))
    }

    /// Makes the guest's account and lets them in. The account is made first (so a taken username or a
    /// weak password leaves the link usable); then the link's row is deleted by the statement that reads it,
    /// so of two uses at once one wins, and the loser's new account is removed again.
    package func accept(_ token: String, username: String, password: String) async throws -> User {
        guard let opened = try await open(token) else { throw Self.gone }
        let user = try await users.create(username: username, email: opened.email, password: password, userID: nil, admin: false)
        guard
            let row = try await database.sql().raw(
                """
                DELETE FROM \(ident: Self.table) WHERE token_digest = \(bind: Secrets.digest(token)) \
                AND expires_at > \(bind: Date().timeIntervalSince1970) RETURNING instance_id, email_key, permissions, expires_at
                """
            ).first(decoding: Row.self)
        else {
            try await users.delete(user)
            throw Self.gone
        }
        try await Subuser(instanceID: row.instanceID, userID: user.userID, permissions: InstancePermission.fromStored(row.permissions))
            .create(on: database.db())
        return user
    }

    private static let gone = PanelError.notFound("this invitation has expired, was withdrawn or was used already")

    private static func format(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds).formatted(Date.ISO8601FormatStyle())
    }
}
