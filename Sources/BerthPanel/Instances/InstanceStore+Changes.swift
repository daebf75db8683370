import BerthProtocol
import FluentKit
import Foundation

/// What owners and operators change of an instance after its deploy: its settings, its install, and its
/// power state.
extension InstanceStore {
    /// Changes an instance's settings as `role` may: a new name, variables and Docker image for anyone with
    /// the settings permission (only the variables the image lets users edit, unless an administrator);
    /// limits, startup line, port allowance and owner for administrators (the callers check that). More
    /// memory or CPU is checked against the node's room under the node's lock. The node hears of it at
    /// once: new limits apply to the running container, the rest at its next start. If the node refuses or
    /// cannot be reached, the instance keeps its old settings (see ``settle(_:edit:)``).
    package func change(_ id: String, _ changes: InstanceChanges, as role: InstanceRole) async throws -> InstanceView {
        if let owner = changes.owner, try await User.query(on: database.db()).filter(\.$userID == owner).first() == nil {
            throw PanelError.invalid("user \(owner) does not exist")
        }
        try await settle(id) { settings, edit in
            try settings.take(changes, of: edit.definition, byOperator: role == .administrator)
        }
        guard let view = try await view(id) else { throw PanelError.notFound("no instance with that id") }
        return view
    }

    /// The image definition the instance was deployed from.
    func imageDefinition(of instance: Instance) async throws -> ImageDefinition {
        guard let image = try await Image.find(instance.$image.id, on: database.db()) else {
            throw PanelError.corrupt("the instance's image is gone")
        }
        guard let definition = image.decodedDefinition else {
            throw PanelError.corrupt("the image \(image.name) is stored in a shape this panel cannot read")
        }
        return definition
    }

    /// Everything the node needs to run the instance as its row now says.
    func specification(of instance: Instance, definition: ImageDefinition, startsWhenInstalled: Bool? = nil) throws -> InstanceSpecification {
        var image = definition.runtime(dockerImage: instance.dockerImage)
        if let startup = instance.startup { image.startup = startup }
        if definition.asksForEULA, instance.eulaAccepted {
            // The owner's acceptance, written where the server looks before each start.
            image.configFiles = (image.configFiles ?? []) + [ConfigFileEdit(path: "eula.txt", parser: "properties", find: ["eula": "true"])]
        }
        let settings = InstanceSettings(instance)
        return InstanceSpecification(
            id: try instance.requireID().uuidString.lowercased(),
            name: instance.name,
            image: image,
            limits: settings.limits,
            ports: settings.ports,
            primaryPort: instance.primaryPort,
            variables: settings.variables,
            suspended: instance.suspended,
            startsWhenInstalled: startsWhenInstalled,
            revision: instance.settingsRevision
        )
    }

    /// Records that the owner accepted the game's EULA; from the next start the node writes `eula=true`
    /// into the server's `eula.txt`.
    package func acceptEULA(_ id: String) async throws -> InstanceView {
        try await settle(id) { settings, edit in
            guard edit.definition.asksForEULA else { throw PanelError.conflict("the image \(edit.definition.name) asks for no EULA") }
            settings.eulaAccepted = true
        }
        guard let view = try await view(id) else { throw PanelError.notFound("no instance with that id") }
        return view
    }

    /// Refuses a start while the image asks for an EULA the owner has not accepted.
    package func checkEULA(before action: PowerAction, of instance: Instance) async throws {
        guard action == .start || action == .restart, !instance.eulaAccepted else { return }
        let definition = try await imageDefinition(of: instance)
        if definition.asksForEULA { throw PanelError.conflict(Self.eulaRefusal) }
    }

    package static let eulaRefusal =
        "the server's EULA (https://aka.ms/MinecraftEULA) must be accepted on the instance's page, or with POST /api/v1/instances/{id}/eula, before it starts"

    /// Runs the install again, keeping the instance's files or starting from an empty volume. The node
    /// refuses it while the instance runs.
    package func reinstall(_ id: String, wipingFiles: Bool) async throws -> InstanceStatus {
        guard let instance = try await find(id) else { throw PanelError.notFound("no instance with that id") }
        guard !instance.deleting else { throw PanelError.conflict("the instance is being deleted") }
        do {
            let status = try await daemons.reinstall(instance: id.lowercased(), wipingFiles: wipingFiles, on: instance.node)
            // Shown at once, as the deploy's INSTALLING is: the node's events follow with the rest.
            instance.installState = status.installState.rawValue
            instance.reason = nil
            try await instance.save(on: database.db())
            return status
        } catch DaemonClientError.refused(let status, let message) where status == 409 || status == 400 {
            throw PanelError.conflict(message)
        } catch let error as DaemonClientError {
            throw error.failing("the instance was not reinstalled")
        }
    }

    // MARK: - Console

    /// Sends one line to the instance's console, as a scheduled task does; refused (409) unless it runs.
    package func sendCommand(_ command: String, to id: String) async throws {
        guard let instance = try await find(id) else { throw PanelError.notFound("no instance with that id") }
        guard !instance.deleting else { throw PanelError.conflict("the instance is being deleted") }
        do {
            _ = try await daemons.send(
                .POST,
                DaemonRoutes.command.path(id: id.lowercased()),
                body: CommandRequest(command: command),
                to: instance.node
            )
        } catch DaemonClientError.refused(let status, let message) where status == 409 || status == 400 {
            throw PanelError.conflict(message)
        } catch let error as DaemonClientError {
            throw error.failing("the command was not sent")
        }
    }

    // MARK: - Power

    /// Asks the instance's node to start, stop, restart or kill it; the node's state follows in its events.
    package func power(_ action: PowerAction, _ id: String) async throws -> InstanceStatus {
        guard let instance = try await find(id) else { throw PanelError.notFound("no instance with that id") }
        guard !instance.deleting else { throw PanelError.conflict("the instance is being deleted") }
        try await checkEULA(before: action, of: instance)
        // Said at once, not after a connection attempt into a silent network.
        try liveness.requireOnline(instance.node)
        do {
            return try await daemons.power(action, instance: id.lowercased(), on: instance.node)
        } catch DaemonClientError.refused(let status, let message) where status == 409 || status == 400 {
            // Not installed, suspended, already in that state: the node says why.
            throw PanelError.conflict(message)
        } catch let error as DaemonClientError {
            throw error.failing("the instance was not sent \(action.rawValue)")
        }
    }
}
