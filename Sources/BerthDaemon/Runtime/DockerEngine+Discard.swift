import DockerEngine
import Logging

extension DockerEngine {
    /// Removes a container the daemon no longer needs. One that is already gone is what was wanted; any
    /// other failure is logged, since the container is then left behind on the node.
    func discardContainer(_ id: String, logger: Logger) async {
        do {
            try await removeContainer(id, force: true)
        } catch DockerEngineError.notFound {
            // Already gone.
        } catch {
            logger.warning("container \(id) could not be removed and is left behind: \(error)")
        }
    }
}
