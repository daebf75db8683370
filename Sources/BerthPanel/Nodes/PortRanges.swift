/// The host ports a node hands out to instances that ask for ports without naming them, as an admin
/// writes them: `25565-25600, 27015`. Kept in that canonical text in the node's row.
package struct PortRanges: Sendable, Equatable, CustomStringConvertible {
    package let ranges: [ClosedRange<Int>]

    /// At most this many ports in all: every one may become a TCP and a UDP binding and an allocation row.
    static let maximumPorts = 10_000

    package static let none = PortRanges(ranges: [])

    private init(ranges: [ClosedRange<Int>]) {
        self.ranges = ranges
    }

    /// Reads `text`; `lowest` is the first port instances may publish. Throws a ``PanelError`` naming `field`.
    package init(_ text: String, field: String, lowest: Int) throws {
        var ranges: [ClosedRange<Int>] = []
        for entry in text.split(separator: ",") {
            let bounds = entry.split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard (1...2).contains(bounds.count), let first = Int(bounds[0]), let last = Int(bounds[bounds.count - 1]) else {
                throw PanelError.invalid("\(field) must look like \"25565-25600, 27015\"")
            }
            guard first <= last else { throw PanelError.invalid("\(field): \(first)-\(last) ends before it starts") }
            guard lowest <= first, last <= 65535 else {
                throw PanelError.invalid("\(field): ports must be between \(lowest) and 65535")
            }
            ranges.append(first...last)
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        for (earlier, later) in zip(ranges, ranges.dropFirst()) where earlier.overlaps(later) {
            throw PanelError.invalid("\(field): \(Self.text(of: earlier)) and \(Self.text(of: later)) overlap")
        }
        guard ranges.reduce(0, { $0 + $1.count }) <= Self.maximumPorts else {
            throw PanelError.invalid("\(field): at most \(Self.maximumPorts) ports in all")
        }
        self.ranges = ranges
    }

    /// The stored text; text that no longer reads (it was checked when written) gives no ports.
    package init(stored text: String) {
        self = (try? PortRanges(text, field: "port ranges", lowest: 1)) ?? .none
    }

    package var description: String {
        ranges.map(Self.text(of:)).joined(separator: ", ")
    }

    package var isEmpty: Bool { ranges.isEmpty }

    /// The lowest `count` ports of the ranges that are not in `taken`, or nil when fewer are free.
    func firstFree(_ count: Int, excluding taken: Set<Int>) -> [Int]? {
        let free = free(upTo: count, excluding: taken)
        return free.count == count ? free : nil
    }

    /// The first free ports, up to `count` of them: fewer when the ranges hold fewer.
    func free(upTo count: Int, excluding taken: Set<Int>) -> [Int] {
        var free: [Int] = []
        for range in ranges {
            for port in range where !taken.contains(port) {
                free.append(port)
                if free.count == count { return free }
            }
        }
        return free
    }

    private static func text(of range: ClosedRange<Int>) -> String {
        range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)"
    }
}
