import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Ends the connection after a 413. Left alone, the server would read and throw away the rest of a body it
/// has already refused (a client can send gigabytes that way), and a client that waits for the end of the
/// connection would wait for the idle timeout. So the answer says `Connection: close`, the server closes its
/// side once it is written and reads nothing more, and the connection ends when the client has sent its last
/// byte or after `linger`, whichever comes first. Lingering rather than closing at once lets a client that is
/// still blocked sending get past its write and read the answer, instead of meeting a reset that can make
/// its socket drop the answer unread.
public final class ClosingAfterRefusal: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private let linger: TimeAmount
    private var refusing = false
    private var answered = false
    private var requestEnded = false

    public init(linger: TimeAmount = .seconds(5)) {
        self.linger = linger
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head: requestEnded = false
        case .body: break
        case .end: requestEnded = true
        }
        guard !answered else {
            // The answer is out; the rest of the body is dropped, and its end is the end of the connection.
            if requestEnded { context.close(promise: nil) }
            return
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status == .contentTooLarge:
            refusing = true
            head.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where refusing:
            answered = true
            let loopBound = context.loopBound
            let closeAtOnce = requestEnded
            let linger = linger
            let written = context.writeAndFlush(data)
            written.cascade(to: promise)
            written.whenComplete { _ in
                let context = loopBound.value
                if closeAtOnce {
                    context.close(promise: nil)
                    return
                }
                context.close(mode: .output, promise: nil)
                context.eventLoop.scheduleTask(in: linger) { loopBound.value.close(promise: nil) }
            }
        default:
            context.write(data, promise: promise)
        }
    }
}
