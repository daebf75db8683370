import BerthProtocol
import DockerEngine
import Foundation
import Logging

/// Prepares an instance to run: its image present, its volume made, its install script run in a
/// separate container, and its runtime container created. Throws a reason a person can act on.
struct Installer: Sendable {
    let docker: DockerEngine
    let blueprint: ContainerBlueprint
    let configuration: DaemonConfiguration
    /// Made ready before any container is created, so none runs outside the tenants' fence.
    let network: TenantNetwork
    /// Where the installer container of a successful install is removed, off the deploy's path.
    let tasks: BackgroundTasks
    let logger: Logger

    /// Lines of the install script's output quoted when it fails.
    static let quotedLines = 10

    /// Installs, as `hostID` owns the volume and runs the instance, and returns the runtime container's id.
    func install(_ specification: InstanceSpecification, as hostID: UInt32, console: ConsoleHub) async throws -> String {
        let volume = try await prepare(specification, console: console)
        if let script = specification.image.install, let installImage = script.dockerImage {
            try await ensureImage(installImage, console: console)
        }
        guard let script = specification.image.install else {
            try VolumeOwnership.give(volume, to: hostID, group: hostID)
            return try await createRuntimeContainer(specification, as: hostID)
        }
        try await checkDownloads(of: script, for: specification)
        // The runtime container does not depend on what the script writes (the volume is bind-mounted), so
        // it is created while the script runs: a deploy waits for the longer of the two, not for both.
        async let runtime = createRuntimeContainer(specification, as: hostID)
        do {
            try await runInstallScript(specification, script: script, console: console)
            try VolumeOwnership.give(volume, to: hostID, group: hostID)
            return try await runtime
        } catch {
            // A failed install leaves no container behind, the runtime one included.
            if let created = try? await runtime {
                await docker.discardContainer(created, logger: logger)
            }
            throw error
        }
    }

    /// What an instance needs before its files: the tenant network, its image, and its volume's folder
    /// (whose path it returns).
    func prepare(_ specification: InstanceSpecification, console: ConsoleHub) async throws -> String {
        try await network.prepare()
        try await ensureImage(specification.image.dockerImage, console: console)
        let volume = blueprint.volumePath(for: specification.id)
        do {
            try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw InstanceError.failed("the volume \(volume) could not be made: \(error.localizedDescription)")
        }
        return volume
    }

    /// Removes an old runtime container, checks the ports, and creates a new one.
    func createRuntimeContainer(_ specification: InstanceSpecification, as hostID: UInt32) async throws -> String {
        let name = ContainerBlueprint.containerName(for: specification.id)
        try await network.prepare()
        await docker.discardContainer(name, logger: logger)
        for mapping in specification.ports where !PortProbe.isFree(port: mapping.hostPort, address: configuration.publishAddress) {
            throw InstanceError.conflict("port \(mapping.hostPort) is already in use on this node (\(configuration.publishAddress))")
        }
        do {
            return try await docker.createContainer(named: name, blueprint.runtime(specification, as: hostID)).id
        } catch let error as DockerEngineError {
            throw InstanceError.engine("the container could not be created: \(error)")
        }
    }

    /// Refuses the install when one of its download URLs, filled in as the installer's shell will fill it,
    /// points where an install must not reach.
    private func checkDownloads(of script: InstallScript, for specification: InstanceSpecification) async throws {
        let check = DownloadCheck(allowsPrivateAddresses: configuration.allowsPrivateDownloads)
        let environment = blueprint.environmentValues(for: specification, installer: true)
        for download in script.downloads ?? [] {
            if let problem = await check.problem(with: download, environment: environment) { throw InstanceError.failed(problem) }
        }
    }

    private func ensureImage(_ image: String, console: ConsoleHub) async throws {
        do {
            if try await docker.hasImage(image) { return }
            console.publishNotice("pulling the image \(image)")
            try await docker.pullImage(image).finish()
        } catch let error as DockerEngineError {
            throw InstanceError.engine("image \(image) is not on this node and could not be pulled: \(error)")
        }
    }

    private func runInstallScript(_ specification: InstanceSpecification, script: InstallScript, console: ConsoleHub) async throws {
        let name = ContainerBlueprint.installerName(for: specification.id)
        await docker.discardContainer(name, logger: logger)
        console.publishNotice("installer started")
        let exit: ContainerExit
        let installerID: String
        var output: [String] = []
        do {
            installerID = try await docker.createContainer(named: name, blueprint.installer(specification, script: script)).id
            try await docker.startContainer(installerID)
            for try await chunk in try await docker.containerLogs(installerID, follow: true) {
                console.publishOutput(chunk.text)
                output.append(chunk.text)
                if output.count > 200 { output.removeFirst(100) }
            }
            exit = try await docker.waitForContainer(installerID)
        } catch let error as DockerEngineError {
            await docker.discardContainer(name, logger: logger)
            throw InstanceError.engine("the install script could not run: \(error)")
        }
        guard exit.statusCode == 0 else {
            await docker.discardContainer(installerID, logger: logger)
            let lastLines = output.joined().split(separator: "\n").suffix(Self.quotedLines).joined(separator: "\n")
            throw InstanceError.failed("the install script exited with code \(exit.statusCode); its last lines:\n\(lastLines)")
        }
        // Done with it: removed in the background, so READY does not wait for Docker to tidy up. Deleting or
        // reinstalling the instance removes it by name too, should the daemon stop before this runs.
        tasks.spawn { [docker, logger] in await docker.discardContainer(installerID, logger: logger) }
        console.publishNotice("installer finished")
    }
}
