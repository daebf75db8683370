import BerthHTTP
import BerthPanel
import Foundation

/// Finds an instance for a signed-in user, with what they may do there: their own, one they are a
/// subuser of, or any for an administrator. Anything else is "not found", so no one learns which ids exist.
struct InstanceAccess: Sendable {
    let instances: InstanceStore
    let users: UserStore

    func instance(_ id: String, for user: User) async throws -> ReachableInstance {
        guard let reached = try await instances.find(id, reachableBy: user) else {
            throw APIError.notFound("There is no instance \(id) that you can see.")
        }
        return reached
    }
}

/// An instance as the web pages show it.
struct InstanceSummary {
    let id: String
    let name: String
    let state: String
    let nodeName: String
    /// Whether its node has been silent past the panel's node timeout: its state is the last reported.
    let nodeOffline: Bool
    let address: String
    let memory: String
    let cpu: String
    let disk: String
    let installState: String
    /// The install state in words, for people: installed, installing, failed, being deleted.
    let installation: String
    let suspended: Bool

    init(_ view: InstanceView) {
        id = view.id
        name = view.name
        state = Self.state(of: view)
        nodeName = view.node.name
        nodeOffline = view.node.status == "offline"
        address = "\(view.node.address):\(view.primary)"
        memory = "\(view.memory) MiB"
        cpu = Self.cores(view.cpu)
        disk = view.disk == 0 ? "–" : "\(view.disk) MiB"
        installState = view.internalState
        installation =
            ["READY": "installed", "INSTALLING": "installing", "FAILED": "failed", "DELETING": "being deleted"][view.internalState]
            ?? view.internalState.lowercased()
        suspended = view.suspended
    }

    /// One word for the badge: what matters most first (deleting, suspended, installing, failed), else the power state.
    static func state(of view: InstanceView) -> String {
        if view.internalState == "DELETING" { return "deleting" }
        if view.suspended { return "suspended" }
        if view.internalState == "INSTALLING" { return "installing" }
        if view.internalState == "FAILED" { return "failed" }
        return view.powerState
    }

    static func cores(_ cores: Double) -> String {
        let text = cores == cores.rounded() ? String(Int(cores)) : String(format: "%.2f", cores)
        return "\(text) \(cores == 1 ? "core" : "cores")"
    }
}
