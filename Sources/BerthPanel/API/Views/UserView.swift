import BerthHTTP

/// A user as Skyport's API shows one. Never the password hash.
struct UserView: Codable, Sendable, Equatable {
    let userId: String
    let username: String
    let email: String
    let admin: Bool

    init(_ user: User) {
        userId = user.userID
        username = user.username
        email = user.email
        admin = user.admin
    }
}

extension UserView: JSONWritable {
    func write(to writer: inout JSONWriter) {
        writer.object { json in
            json.field("admin", admin)
            json.field("email", email)
            json.field("userId", userId)
            json.field("username", username)
        }
    }
}
