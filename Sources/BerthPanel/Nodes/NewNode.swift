import Foundation

/// A node to create, read from the API's JSON or the admin form; each problem names its field.
package struct NewNode {
    let name: String
    let tags: String
    let ram: Int
    let disk: Int
    let processor: String
    let address: String
    let port: Int
    let policy: NodeAllocationPolicy

    /// Reads every field before it refuses, so one answer names every wrong field. `lowestPort` is the
    /// first host port instances may publish, and `allowingLoopback` whether a node may be on this machine
    /// (the panel's settings; see ``NodeStore/newNode(from:)``).
    init(_ fields: RequestFields, lowestPort: Int, allowingLoopback: Bool) throws {
        var checks = FieldChecks()
        let name = try checks.check("name") { try Self.name(fields) }
        let address = try checks.check("address") { try Self.address(fields, allowingLoopback: allowingLoopback) }
        let port = try checks.check("port") { try Self.port(fields) }
        let tags = try checks.check("tags") { try fields.optionalString("tags") ?? "" }
        let ram = try checks.check("ram") { try LooseQuantities.mebibytes(fields.value("ram") ?? .null, field: "ram") }
        let disk = try checks.check("disk") { try LooseQuantities.mebibytes(fields.value("disk") ?? .null, field: "disk") }
        let processor = try checks.check("processor") { try Self.processor(fields) }
        let policy = try checks.check("policy") { try NodeAllocationPolicy.standard.applying(fields, lowestPort: lowestPort) }
        guard let name, let address, let port, let tags, let ram, let disk, let processor, let policy else { throw checks.refusal }
        self.name = name
        self.address = address
        self.port = port
        self.tags = tags
        self.ram = ram
        self.disk = disk
        self.processor = processor
        self.policy = policy
    }

    // The fields' rules, shared with an edit of the node.

    static func name(_ fields: RequestFields) throws -> String {
        let name = try fields.string("name")
        guard name.count <= 100 else { throw PanelError.invalid("name must be at most 100 characters") }
        return name
    }

    /// Unspecified and link-local addresses are refused, and loopback unless `allowingLoopback`.
    static func address(_ fields: RequestFields, allowingLoopback: Bool) throws -> String {
        let address = try fields.string("address")
        guard NodeStore.isValidAddress(address) else { throw PanelError.invalid("address must be a host name or an IP address") }
        if let problem = NodeAddress.problem(with: address, allowingLoopback: allowingLoopback) { throw PanelError.invalid(problem) }
        return address
    }

    static func port(_ fields: RequestFields) throws -> Int {
        guard let port = Int(try fields.string("port")), (1...65535).contains(port) else { throw PanelError.invalid("port must be 1-65535") }
        return port
    }

    /// Free text in the seed ("AMD EPYC 7543"), kept as given; the node's cores come from its heartbeats.
    static func processor(_ fields: RequestFields) throws -> String {
        let processor = try fields.optionalString("processor") ?? ""
        // Counted in code points, as the OpenAPI document's pattern counts them.
        guard processor.unicodeScalars.count <= 200 else { throw PanelError.invalid("processor must be at most 200 characters") }
        return processor
    }
}
