import Foundation

/// A subuser as `/api/v1` and the instance page show them: who, and what they may do. Never their e-mail
/// address: the owner who invited them by it knows it, their other co-users need not.
package struct SubuserView: Codable, Sendable, Equatable {
    package let userId: String
    package let username: String
    /// ``InstancePermission`` names, in the list's order.
    package let permissions: [String]
    package let createdAt: String?

    init(_ subuser: Subuser, username: String) {
        userId = subuser.userID
        self.username = username
        permissions = InstancePermission.fromStored(subuser.permissions).sorted().map(\.rawValue)
        createdAt = subuser.createdAt.map { $0.formatted(Date.ISO8601FormatStyle()) }
    }
}
