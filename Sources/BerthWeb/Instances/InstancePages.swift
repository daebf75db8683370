import BerthHTTP
import BerthPanel
import BerthProtocol
import Foundation
import Hummingbird

/// The signed-in user's pages about instances: the dashboard, one instance, and its state for polling.
struct InstancePages: Sendable {
    let pages: WebPages
    let instances: InstanceStore
    let access: InstanceAccess

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("/") { _, context in
            let user = try context.signedInUser()
            let rows = try await instances.owned(by: user.userID).map(InstanceSummary.init)
            return pages.render(
                "dashboard",
                title: "My instances",
                content: ["instances": rows, "hasInstances": !rows.isEmpty, "isAdmin": user.admin] as [String: Any],
                context: context,
                scripts: ["dashboard.js"]
            )
        }
        group.get("instances/:id") { _, context in
            let instance = try await access.instance(try context.parameters.require("id"), for: try context.signedInUser())
            return pages.render(
                "instance",
                title: instance.name,
                content: InstanceDetails(instance),
                context: context,
                scripts: ["terminal.js", "resource-charts.js", "console.js"]
            )
        }
        group.get("instances/:id/state") { _, context in
            let instance = try await access.instance(try context.parameters.require("id"), for: try context.signedInUser())
            return try JSONResponse.make(
                InstanceState(
                    installState: instance.deleting ? "DELETING" : instance.installState,
                    powerState: instance.powerState,
                    reason: instance.reason,
                    suspended: instance.suspended
                )
            )
        }
    }

    struct InstanceState: Codable {
        let installState: String
        let powerState: String
        let reason: String?
        let suspended: Bool
    }
}

/// Everything the instance page shows.
struct InstanceDetails {
    let summary: InstanceSummary
    let image: String
    let dockerImage: String
    let ports: [PortMapping]
    let variables: [Variable]
    let reason: String?
    let powerState: String
    let createdAt: String?
    let installing: Bool
    let failed: Bool
    let usable: Bool

    struct Variable {
        let name: String
        let value: String
    }

    init(_ instance: Instance) {
        let view = InstanceView(instance, node: instance.node)
        summary = InstanceSummary(view)
        image = instance.image.name
        dockerImage = instance.dockerImage
        ports = (try? JSONDecoder().decode([PortMapping].self, from: Data(instance.ports.utf8))) ?? []
        variables = view.variables.sorted { $0.key < $1.key }.map { Variable(name: $0.key, value: $0.value) }
        reason = instance.reason
        powerState = instance.powerState
        createdAt = view.createdAt
        installing = view.internalState == "INSTALLING"
        failed = view.internalState == "FAILED"
        usable = view.internalState == "READY" && !instance.suspended
    }
}
