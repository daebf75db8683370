import Foundation

/// How a node hands itself out: the ports it allocates on its own, how far past its memory and cores it
/// may be promised, and whether it takes new deploys at all.
package struct NodeAllocationPolicy: Sendable, Equatable {
    package var portRanges: PortRanges
    /// Percent over the node's memory that deploys may promise; -1 promises without limit.
    package var memoryOverallocation: Int
    /// Percent over the node's reported cores that deploys may promise; -1 promises without limit.
    package var cpuOverallocation: Int
    /// A node in maintenance keeps its instances but takes no new ones.
    package var maintenance: Bool
    /// The disk limit (MiB) of deploys that name none; nil for none, the node's disk shared.
    package var defaultDiskMiB: Int?

    package init(portRanges: PortRanges, memoryOverallocation: Int, cpuOverallocation: Int, maintenance: Bool, defaultDiskMiB: Int? = nil) {
        self.portRanges = portRanges
        self.memoryOverallocation = memoryOverallocation
        self.cpuOverallocation = cpuOverallocation
        self.maintenance = maintenance
        self.defaultDiskMiB = defaultDiskMiB
    }

    package static let standard = NodeAllocationPolicy(portRanges: .none, memoryOverallocation: 0, cpuOverallocation: 0, maintenance: false)

    /// This policy handing out `portRanges`.
    func with(portRanges: PortRanges) -> NodeAllocationPolicy {
        var policy = self
        policy.portRanges = portRanges
        return policy
    }

    /// The policy's fields present in `fields` applied over `self`; each problem names its field.
    /// `lowestPort` is the first host port instances may publish.
    func applying(_ fields: RequestFields, lowestPort: Int) throws -> NodeAllocationPolicy {
        var policy = self
        var checks = FieldChecks()
        if fields.has("portRanges"),
            let ranges = try checks.check(
                "portRanges",
                {
                    try PortRanges(try fields.optionalString("portRanges") ?? "", field: "portRanges", lowest: lowestPort)
                }
            )
        {
            policy.portRanges = ranges
        }
        if let percent = try checks.check("memoryOverallocation", { try Self.percent(fields, "memoryOverallocation") }) ?? nil {
            policy.memoryOverallocation = percent
        }
        if let percent = try checks.check("cpuOverallocation", { try Self.percent(fields, "cpuOverallocation") }) ?? nil {
            policy.cpuOverallocation = percent
        }
        if let maintenance = try checks.check("maintenance", { try fields.optionalBool("maintenance") }) ?? nil {
            policy.maintenance = maintenance
        }
        if let value = fields.value("defaultDisk"),
            let disk = try checks.check("defaultDisk", { try Self.defaultDisk(value) })
        {
            policy.defaultDiskMiB = disk
        }
        try checks.finish()
        return policy
    }

    /// What may be promised of `capacity` under `percent` overallocation; nil is without limit.
    static func promisable(_ capacity: Double, overallocation percent: Int) -> Double? {
        percent < 0 ? nil : capacity * Double(100 + percent) / 100
    }

    /// A size as for a deploy's disk; empty, null or 0 for none.
    private static func defaultDisk(_ value: JSONValue) throws -> Int? {
        if value == .null || value.scalarText == "" || value.scalarText == "0" { return nil }
        let disk = try LooseQuantities.mebibytes(value, field: "defaultDisk")
        return disk > 0 ? disk : nil
    }

    private static func percent(_ fields: RequestFields, _ field: String) throws -> Int? {
        guard let value = fields.value(field) else { return nil }
        guard let text = value.scalarText, let percent = Int(text), percent == -1 || (0...1000).contains(percent) else {
            throw PanelError.invalid("\(field) must be a whole percentage from 0 to 1000, or -1 for no limit")
        }
        return percent
    }
}
