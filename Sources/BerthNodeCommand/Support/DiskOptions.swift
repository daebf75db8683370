import ArgumentParser

/// `--volumes-image SIZE`: keep the node's volumes on one XFS image of that size, with a project quota
/// for each instance, where the host's own disk keeps none.
package struct DiskOptions: ParsableArguments {
    package init() {}

    @Option(
        help: ArgumentHelp(
            "Keep the volumes on one preallocated XFS image of this size (e.g. 200G; at least 300M), so disk limits are project quotas that change while instances run. Made once, while the volumes folder is empty.",
            valueName: "size"
        )
    )
    package var volumesImage: String?

    /// The image's size in bytes, if one was asked for.
    package func volumesImageBytes() throws -> Int64? {
        guard let volumesImage else { return nil }
        guard let bytes = Self.bytes(volumesImage) else {
            throw ValidationError("--volumes-image must be a size such as 500M, 200G or 2T, not \(volumesImage)")
        }
        return bytes
    }

    /// A whole number followed by M, G or T (binary units).
    static func bytes(_ text: String) -> Int64? {
        guard let unit = text.uppercased().last, let shift = ["M": 20, "G": 30, "T": 40][unit], let count = Int64(text.dropLast()), count > 0 else {
            return nil
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: 1 << Int64(shift))
        return overflow ? nil : bytes
    }
}
