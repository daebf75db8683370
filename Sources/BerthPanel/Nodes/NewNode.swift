import Foundation

/// A node to create, read from the API's JSON or the admin form; each problem names its field.
package struct NewNode {
    let name: String
    let tags: String
    let ram: Int
    let disk: Int
    let processor: Double
    let address: String
    let port: Int

    package init(_ fields: RequestFields) throws {
        name = try fields.string("name")
        guard name.count <= 100 else { throw PanelError.invalid("name must be at most 100 characters") }
        address = try fields.string("address")
        guard NodeStore.isValidAddress(address) else {
            throw PanelError.invalid("address must be a host name or an IP address")
        }
        guard let port = Int(try fields.string("port")), (1...65535).contains(port) else { throw PanelError.invalid("port must be 1-65535") }
        self.port = port
        tags = try fields.optionalString("tags") ?? ""
        ram = try LooseQuantities.mebibytes(fields.value("ram") ?? .null, field: "ram")
        disk = try LooseQuantities.mebibytes(fields.value("disk") ?? .null, field: "disk")
        processor = try LooseQuantities.cores(fields.value("processor") ?? .null, field: "processor")
    }
}
