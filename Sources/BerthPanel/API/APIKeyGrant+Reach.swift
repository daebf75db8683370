import Foundation

extension APIKeyGrant {
    /// The instance and what the key may do with it: everything for the panel's own keys and an admin's,
    /// what its user may (as owner or subuser) for a key that acts as one. An instance out of reach is
    /// "no instance", so a user's key learns nothing of other ids.
    func reach(_ id: String, in instances: InstanceStore, subusers: SubuserStore) async throws -> (view: InstanceView, role: InstanceRole) {
        guard let view = try await instances.view(id), let uuid = UUID(uuidString: view.id) else {
            throw PanelError.notFound("no instance with that id")
        }
        guard let owner else { return (view, .administrator) }
        guard let role = try await subusers.role(of: owner.userID, admin: owner.admin, on: uuid, ownedBy: view.user) else {
            throw PanelError.notFound("no instance with that id")
        }
        return (view, role)
    }
}
