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

    /// `lowestPort` is the first host port instances may publish (the panel's setting).
    package init(_ fields: RequestFields, lowestPort: Int) throws {
        name = try Self.name(fields)
        address = try Self.address(fields)
        port = try Self.port(fields)
        tags = try fields.optionalString("tags") ?? ""
        ram = try LooseQuantities.mebibytes(fields.value("ram") ?? .null, field: "ram")
        disk = try LooseQuantities.mebibytes(fields.value("disk") ?? .null, field: "disk")
        processor = try Self.processor(fields)
        policy = try NodeAllocationPolicy.standard.applying(fields, lowestPort: lowestPort)
    }

    // The fields' rules, shared with an edit of the node.

    static func name(_ fields: RequestFields) throws -> String {
        let name = try fields.string("name")
        guard name.count <= 100 else { throw PanelError.invalid("name must be at most 100 characters") }
        return name
    }

    static func address(_ fields: RequestFields) throws -> String {
        let address = try fields.string("address")
        guard NodeStore.isValidAddress(address) else { throw PanelError.invalid("address must be a host name or an IP address") }
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
