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
    /// cannot be reached, the instance keeps all of its old settings.
    package func change(_ id: String, _ changes: InstanceChanges, as role: InstanceRole) async throws -> InstanceView {
        guard let instance = try await find(id) else { throw PanelError.notFound("no instance with that id") }
        guard !instance.deleting else { throw PanelError.conflict("the instance is being deleted") }
        let db = database.db()
        if let owner = changes.owner, try await User.query(on: db).filter(\.$userID == owner).first() == nil {
            throw PanelError.invalid("user \(owner) does not exist")
        }
        let definition = try await imageDefinition(of: instance)
        let before = InstanceSettings(instance)
        var after = before
        after.name = changes.name ?? before.name
        after.owner = changes.owner ?? before.owner
        after.memory = changes.memory ?? before.memory
        after.cpu = changes.cpu ?? before.cpu
        after.disk = changes.disk ?? before.disk
        after.processes = changes.processes ?? before.processes
        after.extraPortLimit = changes.extraPortLimit ?? before.extraPortLimit
        switch changes.startup {
        case .custom(let line): after.startup = line
        case .image: after.startup = nil
        case nil: break
        }
        if let dockerImage = changes.dockerImage {
            guard definition.dockerImages.contains(dockerImage) else {
                throw PanelError.invalid("dockerImage must be one of the image's: \(definition.dockerImages.joined(separator: ", "))")
            }
            after.dockerImage = dockerImage
        }
        if let variables = changes.variables {
            try definition.checkChangeable(variables.keys, of: before.variables, byOperator: role == .administrator)
            after.variables = before.variables.merging(variables) { _, new in new }
            try definition.check(after.variables, allowingUndeclared: true)
        }
        after.apply(to: instance)
        let node = instance.node
        let (moreMemory, moreCPU) = (max(0, after.memory - before.memory), max(0, after.cpu - before.cpu))
        try await database.inTurn {
            try await db.transaction { transaction in
                if moreMemory > 0 || moreCPU > 1e-9 {
                    try await Self.checkCapacity(of: node, memory: moreMemory, cpu: moreCPU, on: transaction)
                }
                try await instance.save(on: transaction)
            }
        }
        if changes.reachesTheNode, after != before {
            do {
                try await tell(node, of: instance, definition: definition, changing: before, to: after)
            } catch {
                before.apply(to: instance)
                try await instance.save(on: db)
                throw error
            }
        }
        guard let view = try await view(id) else { throw PanelError.notFound("no instance with that id") }
        return view
    }

    /// Sends the node what changed: new limits alone go to the running container; anything more is a new
    /// specification.
    private func tell(
        _ node: Node,
        of instance: Instance,
        definition: ImageDefinition,
        changing before: InstanceSettings,
        to after: InstanceSettings
    ) async throws {
        let id = try instance.requireID().uuidString.lowercased()
        do {
            if after.differsOnlyInLimits(from: before) {
                _ = try await daemons.updateLimits(after.limits, instance: id, on: node)
            } else {
                _ = try await daemons.reconfigure(try specification(of: instance, definition: definition), on: node)
            }
        } catch DaemonClientError.refused(let status, let message) where status == 400 || status == 409 {
            throw status == 400 ? PanelError.invalid(message) : PanelError.conflict(message)
        } catch let error as DaemonClientError {
            throw PanelError.nodeFailed("the new settings were not applied, and the old ones stay: \(error.message)")
        }
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
            startsWhenInstalled: startsWhenInstalled
        )
    }

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
            throw PanelError.nodeFailed("the instance was not reinstalled: \(error.message)")
        }
    }

    // MARK: - Power

    /// Asks the instance's node to start, stop, restart or kill it; the node's state follows in its events.
    package func power(_ action: PowerAction, _ id: String) async throws -> InstanceStatus {
        guard let instance = try await find(id) else { throw PanelError.notFound("no instance with that id") }
        guard !instance.deleting else { throw PanelError.conflict("the instance is being deleted") }
        do {
            return try await daemons.power(action, instance: id.lowercased(), on: instance.node)
        } catch DaemonClientError.refused(let status, let message) where status == 409 || status == 400 {
            // Not installed, suspended, already in that state: the node says why.
            throw PanelError.conflict(message)
        } catch let error as DaemonClientError {
            throw PanelError.nodeFailed("the instance was not sent \(action.rawValue): \(error.message)")
        }
    }
}
