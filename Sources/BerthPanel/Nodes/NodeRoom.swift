/// What a deploy may still take of a node (``NodeStore/room(of:using:)``).
package struct NodeRoom: Sendable, Equatable {
    /// MiB; nil when the node's memory is not limited (overallocation -1).
    package let memory: Int?
    /// Cores; nil when not limited, or before the node reported its cores.
    package let cpu: Double?
    /// MiB of the node's disk that no instance's limit and no backup kept on it claims.
    package let disk: Int
    /// The first free ports of the node's ranges, as many as a form offers.
    package let freePorts: [Int]

    static let portsOffered = 20

    package init(memory: Int?, cpu: Double?, disk: Int, freePorts: [Int]) {
        self.memory = memory
        self.cpu = cpu
        self.disk = disk
        self.freePorts = freePorts
    }
}
