import BerthHTTP
import FluentKit
import Foundation
import Hummingbird
import HummingbirdBcrypt
import NIOPosix

/// `GET /api/users`, `POST /api/getUser`, `POST /api/auth/create-user`.
struct UserController: Sendable {
    let users: UserStore

    func addRoutes(to group: RouterGroup<PanelRequestContext>) {
        group.get("users") { _, _ in
            try JSONResponse.make(try await users.all().map(UserView.init))
        }
        group.post("getUser") { request, _ in
            let fields = try await RequestFields.read(request)
            let type = try fields.string("type")
            let value = try fields.string("value")
            guard type == "email" || type == "username" else {
                throw APIError.badRequest("type must be \"email\" or \"username\"")
            }
            guard let user = try await users.find(type == "email" ? .email(value) : .username(value)) else {
                throw APIError.badRequest("no user with that \(type)")
            }
            return try JSONResponse.make(UserView(user), status: .created)
        }
        group.post("auth/create-user") { request, _ in
            let fields = try await RequestFields.read(request)
            let user = try await users.create(
                username: try fields.string("username"),
                email: try fields.string("email"),
                password: try fields.string("password"),
                userID: try fields.optionalString("userId"),
                admin: fields.strictTrue("admin")
            )
            return try JSONResponse.make(UserView(user), status: .created)
        }
    }
}

/// Users in the database: creating them with checked input and bcrypt, finding them case-insensitively.
struct UserStore: Sendable {
    let database: PanelDatabase
    static let minimumPasswordLength = 8

    /// The one password rule, for the API, the CLI and the web pages: long enough, and no longer than the
    /// 72 bytes bcrypt reads (more would be silently ignored).
    static func isAcceptable(password: String) -> Bool {
        password.count >= minimumPasswordLength && password.utf8.count <= 72
    }

    /// One address with a domain that has a dot, and no spaces: the same check wherever an email is set.
    static func isEmailAddress(_ email: String) -> Bool {
        let parts = email.split(separator: "@")
        return email.count <= 254 && parts.count == 2 && parts[1].contains(".") && !email.contains(where: \.isWhitespace)
    }

    enum Lookup {
        case email(String), username(String), userID(String)
    }

    func all() async throws -> [User] {
        try await User.query(on: database.database).sort(\.$createdAt).all()
    }

    func find(_ lookup: Lookup) async throws -> User? {
        let query = User.query(on: database.database)
        switch lookup {
        case .email(let email): query.filter(\.$emailKey == email.lowercased())
        case .username(let username): query.filter(\.$usernameKey == username.lowercased())
        case .userID(let userID): query.filter(\.$userID == userID)
        }
        return try await query.first()
    }

    func create(username: String, email: String, password: String, userID: String?, admin: Bool) async throws -> User {
        guard (1...64).contains(username.count), username.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
            throw APIError.badRequest("username must be 1 to 64 letters, digits, '.', '_' or '-'")
        }
        guard Self.isEmailAddress(email) else {
            throw APIError.badRequest("email must be an email address")
        }
        guard Self.isAcceptable(password: password) else {
            throw APIError.badRequest("password must be \(Self.minimumPasswordLength) to 72 bytes long")
        }
        if let userID, !(1...128).contains(userID.count) || !userID.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) {
            throw APIError.badRequest("userId must be 1 to 128 letters, digits, '.', '_' or '-'")
        }
        let sameUsername = try await find(.username(username))
        let sameEmail = try await find(.email(email))
        if sameUsername != nil || sameEmail != nil {
            throw APIError(.conflict, "a user with that username or email already exists")
        }
        if let userID, try await find(.userID(userID)) != nil {
            throw APIError(.conflict, "a user with that userId already exists")
        }
        // bcrypt is deliberately slow; keep it off the event loops.
        let hash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: 10) }
        let user = User(userID: userID ?? UUID().uuidString.lowercased(), username: username, email: email, passwordHash: hash, admin: admin)
        do {
            try await user.create(on: database.database)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Another request made the same user a moment ago.
            throw APIError(.conflict, "a user with that username, email or userId already exists")
        }
        return user
    }
}
