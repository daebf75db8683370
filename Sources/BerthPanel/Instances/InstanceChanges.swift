import BerthProtocol
import Foundation

/// What `PATCH /api/v1/instances/{id}` and the settings page change, read from a body; each problem names
/// its field. A field that is missing or null stays as it is.
package struct InstanceChanges: Sendable {
    package var name: String?
    /// Only the variables named change; the others keep their values.
    package var variables: [String: String]?
    /// One of the image's Docker images (another Java version, say).
    package var dockerImage: String?
    package var memory: Int?
    package var cpu: Double?
    package var disk: Int?
    package var processes: Int?
    /// The instance's own startup line; an empty one goes back to the image's.
    package var startup: StartupChange?
    package var extraPortLimit: Int?
    package var backupLimit: Int?
    /// MiB; 0 is no limit.
    package var backupSizeLimit: Int?
    /// The `userId` of the instance's new owner.
    package var owner: String?

    package enum StartupChange: Sendable, Equatable {
        case custom(String)
        case image
    }

    package static let fields: Set<String> = [
        "name", "variables", "dockerImage", "memory", "cpu", "disk", "processes", "startup", "extraPortLimit", "backupLimit", "backupSizeLimit",
        "user",
    ]

    package init(_ fields: RequestFields) throws {
        if let unknown = fields.firstUnknown(among: Self.fields) {
            throw PanelError.invalid(
                "\(unknown) cannot be changed; an instance's changeable fields are \(Self.fields.sorted().joined(separator: ", "))"
            )
        }
        name = try fields.optionalString("name")
        if fields.has("name"), name == nil { throw PanelError.invalid("name must not be empty") }
        if let name, name.count > 200 { throw PanelError.invalid("name must be at most 200 characters") }
        if fields.has("variables") { variables = try LooseQuantities.variables(fields.value("variables"), field: "variables") }
        dockerImage = try fields.optionalString("dockerImage")
        if let memory = fields.value("memory") {
            self.memory = try LooseQuantities.mebibytes(memory, field: "memory")
            if let value = self.memory, value < ResourceLimits.smallestMemoryMiB {
                throw PanelError.invalid("memory must be at least \(ResourceLimits.smallestMemoryMiB) MiB")
            }
        }
        if let cpu = fields.value("cpu") { self.cpu = try LooseQuantities.cores(cpu, field: "cpu") }
        if let disk = fields.value("disk") { self.disk = try LooseQuantities.mebibytes(disk, field: "disk") }
        processes = try Self.whole(fields, "processes", in: 8...1_000_000)
        extraPortLimit = try Self.whole(fields, "extraPortLimit", in: 0...100)
        backupLimit = try Self.whole(fields, "backupLimit", in: 0...1000)
        backupSizeLimit = try Self.whole(fields, "backupSizeLimit", in: 0...1_000_000_000)
        if fields.has("startup") {
            guard case .string(let line) = fields.value("startup") else { throw PanelError.invalid("startup must be a string") }
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.count > 4096 { throw PanelError.invalid("startup must be at most 4096 characters") }
            if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw PanelError.invalid("startup must be one line without control characters")
            }
            startup = trimmed.isEmpty ? .image : .custom(trimmed)
        }
        owner = try fields.optionalString("user")
        if fields.has("user"), owner == nil { throw PanelError.invalid("user must not be empty") }
    }

    private static func whole(_ fields: RequestFields, _ field: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = fields.value(field) else { return nil }
        guard let text = value.scalarText, let number = Int(text), range.contains(number) else {
            throw PanelError.invalid("\(field) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// What only an operator may change: limits, the startup line, the port and backup allowances and the owner.
    package var needsOperator: Bool {
        memory != nil || cpu != nil || disk != nil || processes != nil || startup != nil || extraPortLimit != nil || backupLimit != nil
            || backupSizeLimit != nil || owner != nil
    }
}
