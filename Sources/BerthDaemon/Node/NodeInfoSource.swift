import BerthProtocol
import DockerEngine
import Foundation

/// What this node is, read fresh each time: for `GET /api/system` and for every heartbeat.
struct NodeInfoSource: Sendable {
    let docker: DockerEngine
    /// The disk whose space is reported: the one volumes live on.
    let dataDirectory: String
    /// The certificate the daemon serves, which every heartbeat presents for the panel to pin.
    let certificatePEM: String?
    let diskLimits: DiskLimitSupport
    let sftp: SFTPService?
    let supervisor: InstanceSupervisor

    func nodeInfo() async -> NodeInfo {
        let resources = HostResources.read(diskAt: dataDirectory)
        return NodeInfo(
            version: BerthVersion.current,
            docker: await dockerStatus(),
            cpuCores: resources.cores,
            memoryTotalBytes: resources.memoryTotalBytes,
            memoryAvailableBytes: resources.memoryAvailableBytes,
            diskTotalBytes: resources.diskTotalBytes,
            diskAvailableBytes: resources.diskAvailableBytes,
            instances: await supervisor.count,
            certificate: certificatePEM,
            diskLimits: diskLimits,
            sftp: sftp?.endpoint
        )
    }

    func dockerStatus() async -> DockerStatus {
        do {
            let version = try await docker.version()
            return DockerStatus(reachable: true, host: docker.host.description, version: version.version)
        } catch {
            return DockerStatus(
                reachable: false,
                host: docker.host.description,
                problem: DockerAdvice.whenUnavailable(docker.host, error)
            )
        }
    }
}
