import BerthHTTP
import Hummingbird

/// `GET /api/users`, `POST /api/getUser`, `POST /api/auth/create-user`.
struct UserController<Context: PanelRequestContext>: Sendable {
    let users: UserStore
    /// The whole list, written once for as long as it does not change.
    let lists: ListCache

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("users") { _, context in
            try context.grant.require(.read, on: .users)
            return try await lists.response(for: .users) { sink in
                let (first, rest) = try await users.allPaged().splittingFirst()
                try await JSONArrayWriting(first: first.map(UserView.init), rest: rest.map { $0.map(UserView.init) }).write(to: sink)
            }
        }
        group.post("getUser") { request, context in
            try context.grant.require(.read, on: .users)
            let fields = try await RequestFields.read(request)
            let type = try fields.string("type")
            let value = try fields.string("value")
            guard type == "email" || type == "username" else {
                throw PanelError.invalid("type must be \"email\" or \"username\"")
            }
            guard let user = try await users.find(type == "email" ? .email(value) : .username(value)) else {
                throw PanelError.notFound("no user with that \(type)")
            }
            return try JSONResponse.make(UserView(user), status: .created)
        }
        group.post("auth/create-user") { request, context in
            try context.grant.require(.write, on: .users)
            let fields = try await RequestFields.read(request)
            let user = try await users.create(
                username: try fields.string("username"),
                email: try fields.string("email"),
                password: try fields.exactString("password"),
                userID: try fields.optionalString("userId"),
                admin: fields.strictTrue("admin")
            )
            return try JSONResponse.make(UserView(user), status: .created)
        }
    }
}
