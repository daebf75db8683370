/// What `PATCH /api/v1/instances/{id}` changes, read from its body; each problem names its field. A
/// field that is missing or null stays as it is.
package struct InstanceChanges: Sendable {
    package var name: String?
    package var memory: Int?
    package var cpu: Double?
    /// The `userId` of the instance's new owner.
    package var owner: String?

    package static let fields: Set<String> = ["name", "memory", "cpu", "user"]

    package init(_ fields: RequestFields) throws {
        if let unknown = fields.firstUnknown(among: Self.fields) {
            throw PanelError.invalid(
                "\(unknown) cannot be changed; an instance's changeable fields are \(Self.fields.sorted().joined(separator: ", "))"
            )
        }
        name = try fields.optionalString("name")
        if fields.has("name"), name == nil { throw PanelError.invalid("name must not be empty") }
        if let name, name.count > 200 { throw PanelError.invalid("name must be at most 200 characters") }
        if let memory = fields.value("memory") {
            self.memory = try LooseQuantities.mebibytes(memory, field: "memory")
            if let value = self.memory, value < 4 { throw PanelError.invalid("memory must be at least 4 MiB") }
        }
        if let cpu = fields.value("cpu") { self.cpu = try LooseQuantities.cores(cpu, field: "cpu") }
        owner = try fields.optionalString("user")
        if fields.has("user"), owner == nil { throw PanelError.invalid("user must not be empty") }
    }

    /// Whether anything but the name changes: what only an operator may do.
    package var changesMoreThanTheName: Bool { memory != nil || cpu != nil || owner != nil }
}
