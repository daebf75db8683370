import BerthProtocol
import DockerEngine
import Foundation
import BerthHTTP
import Hummingbird

/// `GET /api/system`: what this node is and whether its Docker engine answers.
struct SystemController<Context: RequestContext>: Sendable {
    let docker: DockerEngine
    let configuration: DaemonConfiguration
    let supervisor: InstanceSupervisor

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("system") { _, _ in
            try JSONResponse.make(await nodeInfo())
        }
    }

    func nodeInfo() async -> NodeInfo {
        let resources = HostResources.read(diskAt: configuration.dataDirectory)
        let docker = await dockerStatus()
        return NodeInfo(
            version: BerthVersion.current,
            docker: docker,
            cpuCores: ProcessInfo.processInfo.activeProcessorCount,
            memoryTotalBytes: resources.memoryTotalBytes,
            memoryAvailableBytes: resources.memoryAvailableBytes,
            diskTotalBytes: resources.diskTotalBytes,
            diskAvailableBytes: resources.diskAvailableBytes,
            instances: await supervisor.count
        )
    }

    func dockerStatus() async -> DockerStatus {
        do {
            let version = try await docker.version()
            return DockerStatus(reachable: true, host: docker.host.description, version: version.version)
        } catch {
            return DockerStatus(reachable: false, host: docker.host.description, problem: DockerAdvice.whenUnavailable(docker.host, error))
        }
    }
}
