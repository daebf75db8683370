import NIOCore
import NIOSSH

/// The only thing a session channel may ask for: the `sftp` subsystem, once. Shells, commands, terminals,
/// environment variables and other subsystems are refused; ``granted`` succeeds when SFTP is asked for
/// and fails if the channel closes first.
final class SFTPSubsystemGate: ChannelInboundHandler {
    typealias InboundIn = SSHChannelData
    typealias InboundOut = ByteBuffer

    let granted: EventLoopPromise<Void>
    private var isGranted = false

    init(granted: EventLoopPromise<Void>) {
        self.granted = granted
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The client's end of file ends the session's reading, not the channel: replies may still be due.
        context.channel.setOption(ChannelOptions.allowRemoteHalfClosure, value: true).whenFailure { error in
            context.fireErrorCaught(error)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let request as SSHChannelRequestEvent.SubsystemRequest where request.subsystem == "sftp" && !isGranted:
            isGranted = true
            if request.wantReply { context.triggerUserOutboundEvent(ChannelSuccessEvent(), promise: nil) }
            granted.succeed()
        case let request as SSHChannelRequestEvent.SubsystemRequest:
            if request.wantReply { context.triggerUserOutboundEvent(ChannelFailureEvent(), promise: nil) }
        case let request as SSHChannelRequestEvent.ExecRequest:
            if request.wantReply { context.triggerUserOutboundEvent(ChannelFailureEvent(), promise: nil) }
        case let request as SSHChannelRequestEvent.ShellRequest:
            if request.wantReply { context.triggerUserOutboundEvent(ChannelFailureEvent(), promise: nil) }
        case let request as SSHChannelRequestEvent.PseudoTerminalRequest:
            if request.wantReply { context.triggerUserOutboundEvent(ChannelFailureEvent(), promise: nil) }
        case let request as SSHChannelRequestEvent.EnvironmentRequest:
            if request.wantReply { context.triggerUserOutboundEvent(ChannelFailureEvent(), promise: nil) }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Bytes before the subsystem was granted, or on the extended (stderr) stream, are not SFTP's: the
    /// channel is closed.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        guard isGranted, case .channel = message.type, case .byteBuffer(let bytes) = message.data else {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(wrapInboundOut(bytes))
    }

    func channelInactive(context: ChannelHandlerContext) {
        granted.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        granted.fail(ChannelError.ioOnClosedChannel)
    }
}

/// Replies of the SFTP session, sent as channel data.
final class SSHChannelDataWriter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = SSHChannelData

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(wrapOutboundOut(SSHChannelData(type: .channel, data: .byteBuffer(unwrapOutboundIn(data)))), promise: promise)
    }
}
