import BerthPanel
import Hummingbird

/// What the pages of one part of an instance (its files, backups, schedules) do on every request: find
/// the instance for the signed-in user and check the part's permission; run a form's change, record it
/// in the audit log under the instance, and go back with what happened (a refusal shown on the page).
struct InstancePart: Sendable {
    let access: InstanceAccess
    let audit: AuditLog
    let permission: InstancePermission
    /// The part's page under the instance's: `files`, `backups`, …
    let section: String

    /// The instance, and its id as URLs write it.
    func reach(_ context: WebRequestContext) async throws -> (ReachableInstance, String) {
        let reached = try await access.instance(try context.parameters.require("id"), for: try context.signedInUser())
        try reached.role.require(permission)
        return (reached, try reached.instance.requireID().uuidString.lowercased())
    }

    /// `back` makes the page to return to from the instance's id; the part's own page when nil.
    func change(
        _ context: WebRequestContext,
        back: ((String) -> String)? = nil,
        _ body: (ReachableInstance, String) async throws -> (action: String, message: String)
    ) async throws -> Response {
        let (reached, id) = try await reach(context)
        do {
            let (action, message) = try await body(reached, id)
            await audit.record(action, target: reached.instance.name, instance: reached.instance.id, context: context)
            context.flash(message)
        } catch let error as PanelError {
            context.flash(error)
        }
        return WebResponse.redirect(back?(id) ?? "/instances/\(id)/\(section)")
    }
}
