import BerthHTTP
import Foundation
import NIOCore

/// Copies of what the API's hottest reads answer, `getInstance` and `getUserInstance`: a billing tool
/// polling every customer's instance then costs no query per request while nothing it shows changes
/// (``EpochCopies``). Both are covered by the list epochs: an instance's view shows exactly what the
/// instance list does, and whether a user exists moves the user list's.
struct InstanceReadCopies: Sendable {
    /// One instance by id as sent; nil for an id no instance has.
    let byID: EpochCopies<String, InstanceCopy?>
    /// The JSON of the instances a user owns, by `userId`; nil when no user has it.
    let byOwner: EpochCopies<String, ByteBuffer?>

    /// At most this many copies of each kind: a few megabytes at ten thousand instances.
    static let capacity = 20_000

    init(epochs: ListEpochReader) {
        byID = EpochCopies(epochs: epochs, capacity: Self.capacity)
        byOwner = EpochCopies(epochs: epochs, capacity: Self.capacity)
    }
}

/// An instance's view and its JSON, written once for every answer that shows it whole.
struct InstanceCopy: Sendable {
    let view: InstanceView
    let json: ByteBuffer

    init(_ view: InstanceView) {
        self.view = view
        json = JSONResponse.written(view).compacted
    }
}

extension ByteBuffer {
    /// Its readable bytes in a buffer of their size, for keeping: a buffer written piece by piece grew by
    /// doubling and has up to twice the room (8 KiB for a user's 5 KB list, a few megabytes over the copies
    /// of a thousand users).
    var compacted: ByteBuffer {
        var copy = ByteBufferAllocator().buffer(capacity: readableBytes)
        copy.writeImmutableBuffer(self)
        return copy
    }
}
