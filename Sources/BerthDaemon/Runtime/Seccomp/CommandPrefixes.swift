/// A set of 32-bit values written as prefixes: a value is in the set when its bits under some prefix's
/// mask are that prefix's bits. Used to allow every `ioctl` command but a few in a seccomp profile, where
/// "not equal" cannot be said safely.
struct CommandPrefixes: Equatable {
    /// The top bits a value must have: `mask` has ones in them, `bits` says what they are.
    let mask: UInt32
    let bits: UInt32

    func contains(_ value: UInt32) -> Bool { value & mask == bits }

    /// The fewest prefixes that hold every 32-bit value except `excluded`: walking down from the top bit,
    /// each half with no excluded value in it is one prefix (at most 32 per excluded value).
    static func covering(allBut excluded: [UInt32]) -> [CommandPrefixes] {
        var prefixes: [CommandPrefixes] = []
        func cover(bits: UInt32, length: Int) {
            let mask: UInt32 = length == 0 ? 0 : ~0 << (32 - length)
            guard excluded.contains(where: { $0 & mask == bits }) else {
                prefixes.append(CommandPrefixes(mask: mask, bits: bits))
                return
            }
            guard length < 32 else { return }
            let nextBit: UInt32 = 1 << (31 - length)
            cover(bits: bits, length: length + 1)
            cover(bits: bits | nextBit, length: length + 1)
        }
        cover(bits: 0, length: 0)
        return prefixes
    }
}
