import Logging

/// swift-log's `StreamLogHandler` to standard error, with its metadata held here and handed to it only when
/// a line is written: the stream handler formats its metadata whenever it is set, and the HTTP server sets
/// a request id on every request's logger, so an API request that logs nothing paid for formatting it
/// (a few percent of a `getInstance`, in profiles).
struct TextLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String, logLevel: Logger.Level) {
        stream = StreamLogHandler.standardError(label: label)
        stream.logLevel = logLevel
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var stream = stream
        stream.metadata = metadata
        stream.log(event: event)
    }
}
