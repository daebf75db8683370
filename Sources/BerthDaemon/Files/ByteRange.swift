/// One range of a `Range: bytes=…` header, resolved against a file's size. Several ranges, or a header in
/// another unit, are answered with the whole file, as RFC 9110 allows.
struct ByteRange: Equatable {
    let first: Int64
    let last: Int64

    var count: Int64 { last - first + 1 }

    enum Parsed: Equatable {
        case whole
        case part(ByteRange)
        /// Asks for bytes the file does not have: a 416.
        case unsatisfiable
    }

    static func parse(_ header: String?, size: Int64) -> Parsed {
        guard let header, header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        let bounds = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2 else { return .whole }
        if bounds[0].isEmpty {
            // The last n bytes.
            guard let suffix = Int64(bounds[1]), suffix > 0 else { return .unsatisfiable }
            guard size > 0 else { return .unsatisfiable }
            return .part(ByteRange(first: max(0, size - suffix), last: size - 1))
        }
        guard let first = Int64(bounds[0]), first >= 0 else { return .whole }
        guard first < size else { return .unsatisfiable }
        if bounds[1].isEmpty { return .part(ByteRange(first: first, last: size - 1)) }
        guard let last = Int64(bounds[1]), last >= first else { return .whole }
        return .part(ByteRange(first: first, last: min(last, size - 1)))
    }
}
