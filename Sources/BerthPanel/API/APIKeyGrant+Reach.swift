import Foundation

extension APIKeyGrant {
    /// The instance and what the key may do with it: everything for the panel's own keys and an admin's,
    /// what its user may (as owner or subuser) for a key that acts as one. An instance out of reach is
    /// "no instance", so a user's key learns nothing of other ids.
    func reach(_ id: String, in instances: InstanceStore, subusers: SubuserStore) async throws -> (view: InstanceView, role: InstanceRole) {
        let (copy, role) = try await reachCopy(id, in: instances, subusers: subusers)
        return (copy.view, role)
    }

    /// The same, with the instance's JSON as `getInstance` answers it.
    func reachCopy(_ id: String, in instances: InstanceStore, subusers: SubuserStore) async throws -> (copy: InstanceCopy, role: InstanceRole) {
        guard let copy = try await instances.copy(id) else { throw PanelError.notFound("no instance with that id") }
        guard let owner else { return (copy, .administrator) }
        guard let uuid = UUID(uuidString: copy.view.id),
            let role = try await subusers.role(of: owner.userID, admin: owner.admin, on: uuid, ownedBy: copy.view.user)
        else {
            throw PanelError.notFound("no instance with that id")
        }
        return (copy, role)
    }
}
