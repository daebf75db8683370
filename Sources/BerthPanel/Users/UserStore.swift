import FluentKit
import Foundation
import SQLKit

/// Users in the database: creating them with checked input and bcrypt, finding them case-insensitively.
package struct UserStore: Sendable {
    let database: PanelDatabase
    /// Seals TOTP secrets in their rows.
    let box: SecretBox
    /// Where the first start wrote the `admin` account's password; removed once that password changes,
    /// so a secret nobody needs any more does not lie around in the data directory.
    var initialPasswordFile: String?
    static let minimumPasswordLength = 8
    static let initialAdmin = "admin"

    /// The one password rule, for the API, the CLI and the web pages: long enough, no longer than the 72
    /// bytes bcrypt reads (more would be silently ignored), no control characters (bcrypt stops at a NUL, so
    /// ten NULs were an empty password), not one tried first (``GuessablePasswords``), and not one holding
    /// the account's own username (of three characters or more), which a guesser tries next. Passwords are
    /// taken exactly as typed, never trimmed.
    package static func checkPassword(_ password: String, of username: String) throws {
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw PanelError.invalid("password must not contain control characters")
        }
        guard password.count >= minimumPasswordLength && password.utf8.count <= 72 else {
            throw PanelError.invalid("password must be at least \(minimumPasswordLength) characters and at most 72 bytes (UTF-8) long")
        }
        if let problem = GuessablePasswords.problem(with: password) { throw PanelError.invalid(problem) }
        if username.count >= 3, password.lowercased().contains(username.lowercased()) {
            throw PanelError.invalid("password must not contain the username")
        }
    }

    /// One address with a name and a dotted domain, no spaces or control characters: the same check
    /// wherever an email is set. `a@@b.c` and `a@b.c@` are not addresses.
    package static func isEmailAddress(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return false }
        return !email.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
    }

    /// A username as stored: NFKC-normalised (full-width `ａｄｍｉｎ` is `admin`), then only ASCII letters,
    /// digits, `.`, `_` and `-`, so no two accounts can look alike on a page or in the audit log.
    package static func normalizedUsername(_ username: String) throws -> String {
        let normalized = username.precomposedStringWithCompatibilityMapping
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard (1...64).contains(normalized.unicodeScalars.count), normalized.unicodeScalars.allSatisfy({ allowed.contains($0) }) else {
            throw PanelError.invalid("username must be 1 to 64 letters, digits, '.', '_' or '-'")
        }
        return normalized
    }

    /// Gives the user a new password (checked against the rule) and ends their other sessions: every
    /// session signed in before carries an older epoch.
    package func setPassword(_ password: String, of user: User) async throws {
        try Self.checkPassword(password, of: user.username)
        user.passwordHash = try await Passwords.hash(password)
        user.sessionEpoch = (user.sessionEpoch ?? 0) + 1
        try await save(user)
        if user.usernameKey == Self.initialAdmin, let initialPasswordFile {
            try? FileManager.default.removeItem(atPath: initialPasswordFile)
        }
    }

    /// The user's TOTP secret; nil while two-factor sign-in is off.
    package func totpSecret(of user: User) throws -> String? {
        try user.sealedTOTPSecret.map { try box.open($0, of: User.totpSecretColumn) }
    }

    /// Turns two-factor sign-in on with `secret` (sealed before it is stored); `lastUsedStep` is the step
    /// whose code proved it, and `recoveryCodes` the digests of the recovery codes.
    package func turnOnTwoFactor(for user: User, secret: String, lastUsedStep: Int?, recoveryCodes: String?) async throws {
        user.sealedTOTPSecret = try box.seal(secret, for: User.totpSecretColumn)
        user.totpLastStep = lastUsedStep
        user.recoveryCodes = recoveryCodes
        try await save(user)
    }

    /// A TOTP secret being enrolled, sealed for the web session that holds it until a code proves it.
    package func sealEnrolment(_ secret: String) throws -> String {
        try box.seal(secret, for: Self.enrolmentColumn)
    }

    /// The secret ``sealEnrolment(_:)`` sealed.
    package func openEnrolment(_ sealed: String) throws -> String {
        try box.open(sealed, of: Self.enrolmentColumn)
    }

    static let enrolmentColumn = "web_sessions.enrolling_secret"

    package func turnOffTwoFactor(for user: User) async throws {
        user.sealedTOTPSecret = nil
        user.totpLastStep = nil
        user.recoveryCodes = nil
        try await save(user)
    }

    /// Marks TOTP step `step` as used, unless it or a later one already is: one conditional UPDATE whose
    /// answer decides, so two submissions of one code at the same moment make one session, not two.
    package func claimTOTPStep(_ step: Int, of user: User) async throws -> Bool {
        let id = try user.requireID()
        let query: SQLQueryString = """
            UPDATE users SET totp_last_step = \(bind: step) \
            WHERE id = \(bind: id) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step)) RETURNING id
            """
        guard try await database.sql().raw(query).first() != nil else { return false }
        user.totpLastStep = step
        return true
    }

    /// Replaces the user's unused recovery codes with `remaining`, only if they are still the `redeemed`
    /// list the code was found in: a compare-and-set, so one recovery code signs in once.
    package func claimRecoveryCode(of user: User, redeemed: String, remaining: String) async throws -> Bool {
        let id = try user.requireID()
        let query: SQLQueryString = """
            UPDATE users SET recovery_codes = \(bind: remaining) \
            WHERE id = \(bind: id) AND recovery_codes = \(bind: redeemed) RETURNING id
            """
        guard try await database.sql().raw(query).first() != nil else { return false }
        user.recoveryCodes = remaining
        return true
    }

    package enum Lookup {
        case email(String)
        case username(String)
        case userID(String)
    }

    package func all() async throws -> [User] {
        try await Self.oldestFirst(on: database).all()
    }

    /// Every user, oldest first, a page at a time (`GET /api/users`).
    package func allPaged(pageSize: Int = listPageSize) async throws -> ListPages<User> {
        let ids = try await Self.oldestFirst(on: database).all(\.$id)
        let database = database
        return ListPages(ids: ids[...], pageSize: pageSize) { page in
            try await Self.oldestFirst(on: database).filter(\.$id ~~ page).all()
        }
    }

    /// Users in list order; the id orders users made in the same instant the same way every time, so the
    /// ids of a paged list and its pages agree.
    private static func oldestFirst(on database: PanelDatabase) -> QueryBuilder<User> {
        User.query(on: database.db()).sort(\.$createdAt).sort(\.$id)
    }

    package func find(id: UUID) async throws -> User? {
        try await User.find(id, on: database.db())
    }

    /// Saves changes made to a user's fields (email, password hash, two-factor state).
    /// A change to the admin flag holds for every request that starts after this returns, in every panel
    /// process (``GrantEpoch``).
    package func save(_ user: User) async throws {
        try await user.save(on: database.db())
        try await GrantEpoch(database: database).awaitAcknowledgement()
    }

    /// Deletes a user who owns no instances.
    package func delete(_ user: User) async throws {
        let owned = try await Instance.query(on: database.db()).filter(\.$ownerUserID == user.userID).count()
        guard owned == 0 else {
            throw PanelError.conflict("\(user.username) still owns \(owned) instance(s); delete them first")
        }
        try await user.delete(on: database.db())
        // The user's API keys act as no one from the next request on, in every panel process.
        try await GrantEpoch(database: database).awaitAcknowledgement()
    }

    /// How many instances each user owns, by `userId`; counted in the database.
    package func instanceCounts() async throws -> [String: Int] {
        try await database.sql().raw("SELECT owner_user_id AS key, COUNT(*) AS count FROM instances GROUP BY owner_user_id")
            .all(decoding: GroupCount<String>.self)
            .reduce(into: [:]) { $0[$1.key] = $1.count }
    }

    /// Whether a user has this `userId`: one indexed read in plain SQL, for the API's hot reads.
    package func exists(userID: String) async throws -> Bool {
        try await database.sql().raw("SELECT 1 AS found FROM users WHERE user_id = \(bind: userID)").first() != nil
    }

    package func find(_ lookup: Lookup) async throws -> User? {
        let query = User.query(on: database.db())
        switch lookup {
        case .email(let email): query.filter(\.$emailKey == email.lowercased())
        case .username(let username): query.filter(\.$usernameKey == username.lowercased())
        case .userID(let userID): query.filter(\.$userID == userID)
        }
        return try await query.first()
    }

    package func create(username: String, email: String, password: String, userID: String?, admin: Bool) async throws -> User {
        let username = try Self.normalizedUsername(username)
        guard Self.isEmailAddress(email) else {
            throw PanelError.invalid("email must be an email address")
        }
        try Self.checkPassword(password, of: username)
        if let userID, !(1...128).contains(userID.count) || !userID.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) {
            throw PanelError.invalid("userId must be 1 to 128 letters, digits, '.', '_' or '-'")
        }
        let sameUsername = try await find(.username(username))
        let sameEmail = try await find(.email(email))
        if sameUsername != nil || sameEmail != nil {
            throw PanelError.duplicate("a user with that username or email already exists")
        }
        if let userID, try await find(.userID(userID)) != nil {
            throw PanelError.duplicate("a user with that userId already exists")
        }
        let hash = try await Passwords.hash(password)
        let user = User(userID: userID ?? UUID().uuidString.lowercased(), username: username, email: email, passwordHash: hash, admin: admin)
        do {
            try await user.create(on: database.db())
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another request made the same user a moment ago.
            throw PanelError.duplicate("a user with that username, email or userId already exists")
        }
        return user
    }
}
