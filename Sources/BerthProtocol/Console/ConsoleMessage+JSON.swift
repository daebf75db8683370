import Foundation

extension ConsoleMessage {
    /// The message as one WebSocket text frame. Encoding a value of plain strings and numbers cannot
    /// fail; were it ever to, the viewer gets an empty object rather than a closed socket.
    public var jsonText: String {
        (try? String(decoding: JSONEncoder().encode(self), as: UTF8.self)) ?? "{}"
    }
}
