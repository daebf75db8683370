import FluentKit
import Foundation

/// Who besides its owner reaches an instance, and what they may do there. The owner, an administrator
/// or a subuser holding `subusers` grants, changes and revokes; a subuser grants only what they hold
/// themselves and cannot touch someone who holds more.
package struct SubuserStore: Sendable {
    let database: PanelDatabase
    /// For an e-mail address without an account: the invitation it gets instead.
    let invitations: Invitations

    /// Subusers one instance may have: a community's staff, few enough to list on one page.
    package static let limitPerInstance = 32

    /// What the user with `userID` may do with the instance, or nil when they do not reach it.
    package func role(of userID: String, admin: Bool, on instanceID: UUID, ownedBy ownerUserID: String) async throws -> InstanceRole? {
        if admin { return .administrator }
        if ownerUserID == userID { return .owner }
        return try await row(userID, on: instanceID).map { .subuser(InstancePermission.fromStored($0.permissions)) }
    }

    /// The instance's subusers, first invited first.
    package func list(on instanceID: UUID) async throws -> [SubuserView] {
        let rows = try await Subuser.query(on: database.db()).filter(\.$instance.$id == instanceID).sort(\.$createdAt).all()
        let users = try await User.query(on: database.db()).filter(\.$userID ~~ rows.map(\.userID)).all()
        let names = Dictionary(users.map { ($0.userID, $0.username) }, uniquingKeysWith: { first, _ in first })
        return rows.map { SubuserView($0, username: names[$0.userID] ?? $0.userID) }
    }

    /// What adding someone did: let a user in, or invite an e-mail address that has no account yet.
    package enum Addition: Sendable {
        case added(SubuserView)
        case invited(Invitations.Pending)
    }

    /// Lets the user named by `who` (a username or an e-mail address) into the instance; an e-mail address
    /// without an account gets an invitation instead, when the panel can send e-mail.
    package func add(
        _ who: String,
        permissions: Set<InstancePermission>,
        to instance: Instance,
        grantedBy role: InstanceRole,
        inviter: String
    ) async throws -> Addition {
        try Self.checkGrant(permissions, by: role)
        let instanceID = try instance.requireID()
        let query = User.query(on: database.db())
        if who.contains("@") { query.filter(\.$emailKey == who.lowercased()) } else { query.filter(\.$usernameKey == who.lowercased()) }
        guard let user = try await query.first() else {
            guard who.contains("@") else { throw PanelError.notFound("there is no user with the username \(who)") }
            return .invited(try await invitations.invite(who, to: instanceID, named: instance.name, permissions: permissions, by: inviter))
        }
        guard user.userID != instance.ownerUserID else { throw PanelError.conflict("\(user.username) owns this instance") }
        let count = try await Subuser.query(on: database.db()).filter(\.$instance.$id == instanceID).count()
        guard count < Self.limitPerInstance else {
            throw PanelError.conflict("this instance has \(Self.limitPerInstance) subusers already; remove one first")
        }
        let subuser = Subuser(instanceID: instanceID, userID: user.userID, permissions: permissions)
        do {
            try await subuser.create(on: database.db())
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw PanelError.duplicate("\(user.username) is a subuser of this instance already")
        }
        return .added(SubuserView(subuser, username: user.username))
    }

    /// Replaces what a subuser may do.
    package func change(
        _ userID: String,
        on instanceID: UUID,
        to permissions: Set<InstancePermission>,
        grantedBy role: InstanceRole
    ) async throws -> SubuserView {
        try Self.checkGrant(permissions, by: role)
        let subuser = try await existing(userID, on: instanceID)
        try Self.checkReach(of: role, over: subuser)
        subuser.permissions = InstancePermission.stored(permissions)
        try await subuser.save(on: database.db())
        let username = try await User.query(on: database.db()).filter(\.$userID == userID).first()?.username
        return SubuserView(subuser, username: username ?? userID)
    }

    /// Revokes a subuser's access. A subuser may always leave; revoking someone else takes `subusers`.
    package func remove(_ userID: String, from instanceID: UUID, by role: InstanceRole, actingAs actorUserID: String?) async throws {
        let subuser = try await existing(userID, on: instanceID)
        if userID != actorUserID {
            try role.require(.subusers)
            try Self.checkReach(of: role, over: subuser)
        }
        try await subuser.delete(on: database.db())
    }

    private func row(_ userID: String, on instanceID: UUID) async throws -> Subuser? {
        try await Subuser.query(on: database.db()).filter(\.$instance.$id == instanceID).filter(\.$userID == userID).first()
    }

    private func existing(_ userID: String, on instanceID: UUID) async throws -> Subuser {
        guard let subuser = try await row(userID, on: instanceID) else {
            throw PanelError.notFound("the user \(userID) is no subuser of this instance")
        }
        return subuser
    }

    /// Granting takes `subusers`, and only what the granter holds: a subuser cannot hand out more than they have.
    private static func checkGrant(_ permissions: Set<InstancePermission>, by role: InstanceRole) throws {
        try role.require(.subusers)
        let beyond = permissions.subtracting(role.permissions)
        guard beyond.isEmpty else {
            throw PanelError.forbidden("you may grant only permissions you hold; not \(names(beyond))")
        }
    }

    /// Changing or revoking a subuser who holds more than the one acting would let a lesser subuser demote a greater.
    private static func checkReach(of role: InstanceRole, over subuser: Subuser) throws {
        let beyond = InstancePermission.fromStored(subuser.permissions).subtracting(role.permissions)
        guard beyond.isEmpty else {
            throw PanelError.forbidden("this subuser holds permissions you do not (\(names(beyond))); only someone who holds them may change them")
        }
    }

    private static func names(_ permissions: Set<InstancePermission>) -> String {
        permissions.sorted().map(\.rawValue).joined(separator: ", ")
    }
}
