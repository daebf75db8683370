import BerthProtocol
import Foundation

/// An instance's settings as plain values: what a change compares, applies, and puts back when the node
/// refuses it.
struct InstanceSettings: Equatable {
    var name: String
    var owner: String
    var dockerImage: String
    var memory: Int
    var cpu: Double
    var disk: Int?
    var processes: Int
    var startup: String?
    var extraPortLimit: Int
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
        instance.variables = Self.json(variables)
        instance.ports = Self.json(ports)
    }

    var limits: ResourceLimits { ResourceLimits(memoryMiB: memory, cpuCores: cpu, processes: processes) }

    /// Whether the node can take the change as new limits on the running container.
    func differsOnlyInLimits(from other: InstanceSettings) -> Bool {
        var comparable = other
        comparable.memory = memory
        comparable.cpu = cpu
        comparable.processes = processes
        comparable.name = name
        comparable.owner = owner
        comparable.disk = disk
        comparable.extraPortLimit = extraPortLimit
        return comparable == self
    }

    private static func json(_ value: some Encodable) -> String {
        // Dictionaries of strings and arrays of integers always encode.
        String(decoding: (try? JSONEncoder().encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
