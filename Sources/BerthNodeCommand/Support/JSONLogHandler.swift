import Foundation
import Logging

/// Writes each log line to standard error as one JSON object: `time` (ISO 8601, milliseconds, UTC),
/// `level`, `label`, `message`, `source`, and the line's metadata as string fields (the request id as
/// `request_id`, `instance` and `node` where a line is about one). Keys are sorted, so lines diff well.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    init(label: String, logLevel: Logger.Level) {
        self.label = label
        self.logLevel = logLevel
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            // Hummingbird's name for it; a collector's queries read better without the dots.
            fields[key == "hb.request.id" ? "request_id" : key] = value.description
        }
        fields["time"] = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["message"] = event.message.description
        fields["source"] = event.source
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(fields) else { return }
        line.append(UInt8(ascii: "\n"))
        // One write per line, so lines from several threads never interleave.
        FileHandle.standardError.write(line)
    }
}
