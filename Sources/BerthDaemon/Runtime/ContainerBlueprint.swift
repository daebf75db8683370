import BerthProtocol
import DockerEngine
import Foundation

/// Turns an instance's specification into the containers that run and install it, with the node's
/// security defaults: no privileges, every capability dropped but those the image declares,
/// `no-new-privileges`, Berth's own seccomp profile (``InstanceSeccompProfile``), real memory, CPU and
/// process limits, and only the instance's own ports published.
struct ContainerBlueprint: Sendable {
    /// Label that marks a container as Berth's; its value is the instance id.
    static let instanceLabel = "berth.instance"
    /// ``runtimeRole`` or ``installerRole``.
    static let roleLabel = "berth.role"
    static let runtimeRole = "runtime"
    static let installerRole = "installer"
    /// The node that owns the container, so daemons sharing one engine never touch each other's containers.
    static let nodeLabel = "berth.node"
    /// Where the volume appears inside the running container.
    static let volumePathInContainer = "/home/container"
    /// Where the volume appears inside the installer, as Pterodactyl eggs expect.
    static let volumePathInInstaller = "/mnt/server"

    let configuration: DaemonConfiguration

    /// Instances and installers join the tenants' network (``TenantNetwork``), unless the operator turned
    /// isolation off.
    var networkMode: String { configuration.isolatesNetwork ? TenantNetwork.name : "bridge" }

    static func containerName(for id: String) -> String { "berth-\(id)" }
    static func installerName(for id: String) -> String { "berth-\(id)-installer" }

    func volumePath(for id: String) -> String {
        (configuration.volumesDirectory as NSString).appendingPathComponent(id)
    }

    /// The container the instance runs in, as `hostID` (user and group).
    func runtime(_ specification: InstanceSpecification, as hostID: UInt32) -> ContainerSpecification {
        let limits = Self.containerLimits(specification.limits)
        let ports = specification.ports.flatMap { mapping in
            [PublishedPort.Transport.tcp, .udp].map {
                PublishedPort(
                    containerPort: mapping.containerPort,
                    hostPort: mapping.hostPort,
                    hostAddress: configuration.publishAddress,
                    transport: $0
                )
            }
        }
        let command = specification.image.startup.map { ["/bin/sh", "-c", Self.shellLine($0)] }
        return ContainerSpecification(
            image: specification.image.dockerImage,
            command: command,
            entrypoint: command == nil ? nil : [],
            environment: environment(for: specification),
            labels: labels(specification, role: Self.runtimeRole),
            workingDirectory: Self.volumePathInContainer,
            user: "\(hostID):\(hostID)",
            hostname: String(specification.id.prefix(63)),
            tty: false,
            openStdin: true,
            stopSignal: { if case .signal(let signal) = specification.image.stop { signal } else { nil } }(),
            hostConfiguration: HostConfiguration(
                memory: limits.memory,
                memorySwap: limits.memorySwap,
                nanoCpus: limits.nanoCpus,
                pidsLimit: limits.pidsLimit,
                binds: ["\(volumePath(for: specification.id)):\(Self.volumePathInContainer)"],
                publishedPorts: ports,
                capabilitiesToAdd: specification.image.capabilities.isEmpty ? nil : specification.image.capabilities,
                capabilitiesToDrop: ["ALL"],
                securityOptions: ["no-new-privileges", InstanceSeccompProfile.option],
                privileged: false,
                networkMode: networkMode,
                readonlyRootFilesystem: true,
                temporaryFilesystems: ["/tmp": Self.temporaryFilesystemOptions(owner: hostID)],
                logConfiguration: Self.boundedLogs
            )
        )
    }

    /// The one-off container that runs the install script against the volume.
    func installer(_ specification: InstanceSpecification, script: InstallScript) -> ContainerSpecification {
        let memory = Int64(max(specification.limits.memoryMiB, 256)) << 20
        return ContainerSpecification(
            image: script.dockerImage ?? specification.image.dockerImage,
            command: [script.script],
            entrypoint: [script.entrypoint ?? "/bin/sh", "-c"],
            environment: environment(for: specification, installer: true),
            labels: labels(specification, role: Self.installerRole),
            workingDirectory: Self.volumePathInInstaller,
            user: "0:0",
            hostConfiguration: HostConfiguration(
                memory: memory,
                memorySwap: memory,
                nanoCpus: Int64((max(specification.limits.cpuCores, 1) * 1_000_000_000).rounded()),
                pidsLimit: 512,
                binds: ["\(volumePath(for: specification.id)):\(Self.volumePathInInstaller)"],
                // An installer writes files as root and may hand them to the runtime user; nothing more.
                capabilitiesToAdd: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID"],
                capabilitiesToDrop: ["ALL"],
                securityOptions: ["no-new-privileges", InstanceSeccompProfile.option],
                privileged: false,
                networkMode: networkMode,
                logConfiguration: Self.boundedLogs
            )
        )
    }

    /// `/tmp` is the instance user's own: Docker gives the mount the mode of the image's `/tmp` (0755 and
    /// root's in a locally built image, whatever `mode=` says), so the tmpfs belongs to the instance's
    /// user. Java, Unity and many servers write temporary files there.
    static func temporaryFilesystemOptions(owner: UInt32) -> String {
        "rw,exec,nosuid,size=100m,uid=\(owner),gid=\(owner),mode=1777"
    }

    /// At most 3 × 10 MB of output kept per container: a server printing without end cannot fill the
    /// node's disk through Docker's logs. The console replays from its own buffer, not from these.
    static let boundedLogs = LogConfiguration(type: "local", options: ["max-size": "10m", "max-file": "3"])

    private func labels(_ specification: InstanceSpecification, role: String) -> [String: String] {
        [Self.instanceLabel: specification.id, Self.roleLabel: role, Self.nodeLabel: configuration.nodeID]
    }

    /// Image environment, then the user's variables, then the ports and what eggs expect (memory, address,
    /// startup line), which nothing may override; `TZ` is UTC unless set. The
    /// installer (root, running the admin's script) gets only the variables the image declares.
    func environment(for specification: InstanceSpecification, installer: Bool = false) -> [String] {
        environmentValues(for: specification, installer: installer).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// The same environment by name, as the installer's shell will see it (for the download check).
    func environmentValues(for specification: InstanceSpecification, installer: Bool = false) -> [String: String] {
        var environment = specification.image.environment
        let variables = installer ? specification.variables.filter { specification.image.environment[$0.key] != nil } : specification.variables
        environment.merge(variables) { _, variable in variable }
        if let primary = specification.primaryMapping {
            environment["SERVER_PORT"] = String(primary.containerPort)
            environment["PRIMARY_PORT"] = String(primary.hostPort)
        }
        environment["HOME"] = Self.volumePathInContainer
        // What eggs' images and scripts expect of Pterodactyl's daemon.
        environment["SERVER_MEMORY"] = String(specification.limits.memoryMiB)
        environment["SERVER_IP"] = "0.0.0.0"
        if let startup = specification.image.startup { environment["STARTUP"] = startup }
        if environment["TZ"] == nil { environment["TZ"] = "UTC" }
        return environment
    }

    /// `{{NAME}}` in a startup line becomes `${NAME}`: the shell reads the value from the environment,
    /// so a variable's value is never parsed as shell code.
    static func shellLine(_ startup: String) -> String {
        VariablePlaceholders.rewrite(startup) { "${\($0)}" }
    }

    /// Docker's form of an instance's limits: bytes, billionths of a core, no swap beyond the memory.
    static func containerLimits(_ limits: ResourceLimits) -> ContainerLimits {
        let memory = Int64(limits.memoryMiB) << 20
        return ContainerLimits(
            memory: memory,
            memorySwap: memory,
            nanoCpus: Int64((limits.cpuCores * 1_000_000_000).rounded()),
            pidsLimit: Int64(limits.processes)
        )
    }
}
