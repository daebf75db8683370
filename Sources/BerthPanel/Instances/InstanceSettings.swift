import BerthProtocol
import Foundation

/// An instance's settings as plain values: what a change compares, applies, and puts back when the node
/// refuses it.
struct InstanceSettings: Equatable, Sendable {
    var name: String
    var owner: String
    var dockerImage: String
    var memory: Int
    var cpu: Double
    var disk: Int?
    var processes: Int
    var startup: String?
    var extraPortLimit: Int
    var backupLimit: Int
    var backupSizeLimit: Int
    var eulaAccepted: Bool
    var variables: [String: String]
    var ports: [PortMapping]

    init(_ instance: Instance) {
        name = instance.name
        owner = instance.ownerUserID
        dockerImage = instance.dockerImage
        memory = instance.memory
        cpu = instance.cpu
        disk = instance.disk
        processes = instance.processes
        startup = instance.startup
        extraPortLimit = instance.extraPortLimit
        backupLimit = instance.backupLimit
        backupSizeLimit = instance.backupSizeLimit
        eulaAccepted = instance.eulaAccepted
        // Written by the panel itself as JSON; unreadable only if someone edited the database by hand.
        variables = (try? JSONDecoder().decode([String: String].self, from: Data(instance.variables.utf8))) ?? [:]
        ports = (try? JSONDecoder().decode([PortMapping].self, from: Data(instance.ports.utf8))) ?? []
    }

    func apply(to instance: Instance) {
        instance.name = name
        instance.ownerUserID = owner
        instance.dockerImage = dockerImage
        instance.memory = memory
        instance.cpu = cpu
        instance.disk = disk
        instance.processes = processes
        instance.startup = startup
        instance.extraPortLimit = extraPortLimit
        instance.backupLimit = backupLimit
        instance.backupSizeLimit = backupSizeLimit
        instance.eulaAccepted = eulaAccepted
        instance.variables = Self.json(variables)
        instance.ports = Self.json(ports)
    }

    /// A disk of 0 (the seed's way of saying none) is no limit.
    var limits: ResourceLimits {
        ResourceLimits(memoryMiB: memory, cpuCores: cpu, processes: processes, diskMiB: disk.flatMap { $0 > 0 ? $0 : nil })
    }

    /// Whether the node runs the instance differently: the name, the owner and the port and backup
    /// allowances are the panel's alone.
    func differsForTheNode(from other: InstanceSettings) -> Bool {
        var comparable = other
        comparable.name = name
        comparable.owner = owner
        comparable.extraPortLimit = extraPortLimit
        comparable.backupLimit = backupLimit
        comparable.backupSizeLimit = backupSizeLimit
        return comparable != self
    }

    /// Takes what `changes` sets, checked against the image: its Docker images, and its variables' rules
    /// and editability (a user changes only those the image lets users see and edit).
    mutating func take(_ changes: InstanceChanges, of definition: ImageDefinition, byOperator: Bool) throws {
        name = changes.name ?? name
        owner = changes.owner ?? owner
        memory = changes.memory ?? memory
        cpu = changes.cpu ?? cpu
        disk = changes.disk ?? disk
        processes = changes.processes ?? processes
        extraPortLimit = changes.extraPortLimit ?? extraPortLimit
        backupLimit = changes.backupLimit ?? backupLimit
        backupSizeLimit = changes.backupSizeLimit ?? backupSizeLimit
        switch changes.startup {
        case .custom(let line): startup = line
        case .image: startup = nil
        case nil: break
        }
        if let dockerImage = changes.dockerImage {
            guard definition.dockerImages.contains(dockerImage) else {
                throw PanelError.invalid("dockerImage must be one of the image's: \(definition.dockerImages.joined(separator: ", "))")
            }
            self.dockerImage = dockerImage
        }
        if let changed = changes.variables {
            try definition.checkChangeable(changed.keys, of: variables, byOperator: byOperator)
            variables.merge(changed) { _, new in new }
            try definition.check(variables, allowingUndeclared: true)
        }
    }

    /// Puts back each field that a change from `before` to `after` touched; the others keep what they are.
    mutating func undo(from before: InstanceSettings, to after: InstanceSettings) {
        func restore<Value: Equatable>(_ field: WritableKeyPath<InstanceSettings, Value>) {
            if before[keyPath: field] != after[keyPath: field] { self[keyPath: field] = before[keyPath: field] }
        }
        restore(\.name)
        restore(\.owner)
        restore(\.dockerImage)
        restore(\.memory)
        restore(\.cpu)
        restore(\.disk)
        restore(\.processes)
        restore(\.startup)
        restore(\.extraPortLimit)
        restore(\.backupLimit)
        restore(\.backupSizeLimit)
        restore(\.eulaAccepted)
        for (name, value) in before.variables where after.variables[name] != value { variables[name] = value }
        for name in after.variables.keys where before.variables[name] == nil { variables[name] = nil }
        ports.removeAll { !before.ports.contains($0) && after.ports.contains($0) }
        ports += before.ports.filter { !after.ports.contains($0) && !ports.contains($0) }
    }

    private static func json(_ value: some Encodable) -> String {
        // Dictionaries of strings and arrays of integers always encode.
        String(decoding: (try? JSONEncoder().encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
