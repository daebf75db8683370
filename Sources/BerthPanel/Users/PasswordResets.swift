import BerthHTTP
import Foundation
import SQLKit

/// Password reset by e-mail: a link holding 256 random bits, stored only as their SHA-256 digest, good for
/// 30 minutes and for one use. Asking answers the same whether or not the account exists; the letter goes
/// out beside the request (``Mailer``), so neither the answer nor its time tells who has an account.
package struct PasswordResets: Sendable {
    let database: PanelDatabase
    let users: UserStore
    let mailer: Mailer
    let publicURL: String

    static let table = "password_resets"
    static let lifetime: TimeInterval = 30 * 60
    /// One letter per account per minute: asking again and again must not fill someone's mailbox.
    static let quietPeriod: TimeInterval = 60

    /// Sends a reset link to the account that `login` (an e-mail address or a username) names, if any;
    /// returns whether a letter went out.
    @discardableResult
    package func request(for login: String) async throws -> Bool {
        guard let user = try await users.find(login.contains("@") ? .email(login) : .username(login)), let userID = user.id else { return false }
        let now = Date().timeIntervalSince1970
        let token = Secrets.generate()
        // One live link per account (a unique index): a new one replaces the last, unless the last is less
        // than a quiet period old. One statement decides, so of two requests at once one sends a letter.
        let query: SQLQueryString = """
            INSERT INTO \(ident: Self.table) (token_digest, user_id, created_at, expires_at) \
            VALUES (\(bind: Secrets.digest(token)), \(bind: userID), \(bind: now), \(bind: now + Self.lifetime)) \
            ON CONFLICT (user_id) DO UPDATE SET token_digest = excluded.token_digest, created_at = excluded.created_at, \
            expires_at = excluded.expires_at WHERE \(ident: Self.table).created_at <= \(bind: now - Self.quietPeriod) RETURNING user_id
            """
        guard try await database.sql().raw(query).first() != nil else { return false }
        mailer.post(
            Letter(
                to: user.email,
                subject: "Reset your Berth password",
                text: """
                    Hello \(user.username),

                    someone (we hope you) asked to reset your password on \(publicURL). To choose a new one, open
                    this link within 30 minutes; it works once:

                    \(publicURL)/reset-password/\(token)

                    If you did not ask, ignore this letter: your password stays as it is.
                    """
            )
        )
        return true
    }

    /// The account a link is for, while the link is good.
    package func user(for token: String) async throws -> User? {
        struct Row: Decodable {
            let userID: UUID
            enum CodingKeys: String, CodingKey { case userID = "user_id" }
        }
        guard Secrets.isGenerated(token),
            let row = try await database.sql().select().column("user_id").from(Self.table)
                .where("token_digest", .equal, SQLBind(Secrets.digest(token)))
                .where("expires_at", .greaterThan, SQLBind(Date().timeIntervalSince1970))
                .first(decoding: Row.self)
        else { return nil }
        return try await users.find(id: row.userID)
    }

    /// Sets a new password with a link, once. The link's row is deleted by the same statement that reads
    /// it, so of two uses at once exactly one finds it. The password is checked first, against the account
    /// the link is for: a password the rule refuses leaves the link usable. Other sessions of the account
    /// end (``UserStore/setPassword(_:of:)``).
    package func redeem(_ token: String, newPassword: String) async throws -> User {
        struct Row: Decodable {
            let userID: UUID
            enum CodingKeys: String, CodingKey { case userID = "user_id" }
        }
        if Secrets.isGenerated(token),
            let row = try await database.sql().raw(
                "SELECT user_id FROM \(ident: Self.table) WHERE token_digest = \(bind: Secrets.digest(token))"
            ).first(decoding: Row.self),
            let account = try await users.find(id: row.userID)
        {
            try UserStore.checkPassword(newPassword, of: account.username)
        }
        guard Secrets.isGenerated(token),
            let row = try await database.sql().raw(
                """
                DELETE FROM \(ident: Self.table) WHERE token_digest = \(bind: Secrets.digest(token)) \
                AND expires_at > \(bind: Date().timeIntervalSince1970) RETURNING user_id
                """
            ).first(decoding: Row.self),
            let user = try await users.find(id: row.userID)
        else { throw PanelError.notFound("this link has expired or was used already; ask for a new one") }
        try await users.setPassword(newPassword, of: user)
        return user
    }
}
