import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// The instance page's Subusers card: add a user by name or e-mail address (an address without an account
/// gets an invitation by e-mail), change what they may do, revoke them or withdraw an invitation. Each
/// takes the `subusers` permission; the panel's store decides what may be granted.
struct SubuserPages: Sendable {
    let subusers: SubuserStore
    let invitations: Invitations
    let access: InstanceAccess
    let audit: AuditLog

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.post("instances/:id/subusers") { _, context in
            let user = try context.signedInUser()
            return try await change(context, needs: .subusers) { reached, _ in
                let addition = try await subusers.add(
                    try context.form.required("user", label: "User"),
                    permissions: try permissions(context),
                    to: reached.instance,
                    grantedBy: reached.role,
                    inviter: user.username
                )
                switch addition {
                case .added(let added):
                    let granted = added.permissions.joined(separator: " ")
                    await audit.record(
                        "added subuser \(added.username) [\(granted)]",
                        target: reached.instance.name,
                        instance: reached.instance.id,
                        context: context
                    )
                    return "\(added.username) can now reach \(reached.instance.name)."
                case .invited(let invitation):
                    let granted = invitation.permissions.joined(separator: " ")
                    await audit.record(
                        "invited \(invitation.email) [\(granted)]",
                        target: reached.instance.name,
                        instance: reached.instance.id,
                        context: context
                    )
                    return "\(invitation.email) has no account yet, so an invitation went there by e-mail; its link works for 7 days."
                }
            }
        }
        group.post("instances/:id/subusers/:userId") { _, context in
            try await change(context, needs: .subusers) { reached, instanceID in
                let changed = try await subusers.change(
                    try context.parameters.require("userId"),
                    on: instanceID,
                    to: try permissions(context),
                    grantedBy: reached.role
                )
                await audit.record(
                    "changed subuser \(changed.username) [\(changed.permissions.joined(separator: " "))]",
                    target: reached.instance.name,
                    instance: reached.instance.id,
                    context: context
                )
                return "The permissions of \(changed.username) are saved."
            }
        }
        group.post("instances/:id/invitations/withdraw") { _, context in
            try await change(context, needs: .subusers) { reached, instanceID in
                let email = try context.form.required("email", label: "E-mail address")
                try await invitations.withdraw(email, on: instanceID)
                await audit.record(
                    "withdrew the invitation of \(email)",
                    target: reached.instance.name,
                    instance: reached.instance.id,
                    context: context
                )
                return "The invitation of \(email) is withdrawn; its link no longer works."
            }
        }
        group.post("instances/:id/subusers/:userId/remove") { _, context in
            let user = try context.signedInUser()
            let userID = try context.parameters.require("userId")
            // Leaving needs no permission; removing someone else takes `subusers`, which the store checks.
            return try await change(context, needs: nil) { reached, instanceID in
                try await subusers.remove(userID, from: instanceID, by: reached.role, actingAs: user.userID)
                await audit.record("removed subuser \(userID)", target: reached.instance.name, instance: reached.instance.id, context: context)
                return userID == user.userID ? "You left \(reached.instance.name)." : "The subuser was removed."
            }
        }
    }

    /// The ticked permission boxes.
    private func permissions(_ context: WebRequestContext) throws -> Set<InstancePermission> {
        try InstancePermission.parse(context.form.values["permission"] ?? [])
    }

    /// Runs one change on the instance and goes back to its page with what happened; a refusal the
    /// store names is shown there, not as an error page. One who left the instance goes to the dashboard.
    /// Without `needs` the page had no form to post from, so that is a plain 403.
    private func change(
        _ context: WebRequestContext,
        needs permission: InstancePermission?,
        _ body: (ReachableInstance, UUID) async throws -> String
    ) async throws -> Response {
        let user = try context.signedInUser()
        let reached = try await access.instance(try context.parameters.require("id"), for: user)
        if let permission { try reached.role.require(permission) }
        let instanceID = try reached.instance.requireID()
        do {
            context.flash(try await body(reached, instanceID))
        } catch let error as PanelError {
            context.flash(error)
        }
        let stillThere = try await access.instances.find(instanceID.uuidString, reachableBy: user) != nil
        return WebResponse.redirect(stillThere ? "/instances/\(instanceID.uuidString.lowercased())" : "/")
    }
}
