/// A handle as the wire carries it: an opaque string. The server's own are 8 bytes, a big-endian count
/// that only goes up, so none is reused within a session; anything else a client sends names no handle.
struct SFTPHandle: Hashable, Sendable {
    let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The handle numbered `number`.
    init(number: UInt64) {
        bytes = (0..<8).reversed().map { UInt8(truncatingIfNeeded: number >> ($0 * 8)) }
    }
}
