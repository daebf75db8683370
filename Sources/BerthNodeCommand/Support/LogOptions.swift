import ArgumentParser
import Logging

/// `--log-format` and `--log-level` for the commands that keep running (`serve`, `panel`, `daemon`).
package struct LogOptions: ParsableArguments {
    package init() {}

    package enum Format: String, ExpressibleByArgument, CaseIterable {
        /// swift-log's lines, for a person at a terminal.
        case text
        /// One JSON object per line (``JSONLogHandler``), for a log collector.
        case json
    }

    @Option(help: "How log lines are written: text, or json (one object per line).")
    package var logFormat: Format = .text

    @Option(
        help: "The least severe lines written: trace, debug, info, notice, warning, error or critical.",
        transform: { text in
            guard let level = Logger.Level(rawValue: text) else {
                throw ValidationError("--log-level \(text) is none of trace, debug, info, notice, warning, error, critical")
            }
            return level
        }
    )
    package var logLevel: Logger.Level = .info

    /// Sets up the process's logging, once, before the first logger is made: the one process-wide
    /// setting swift-log has.
    package func bootstrap() {
        let level = logLevel
        switch logFormat {
        case .text:
            LoggingSystem.bootstrap { label in TextLogHandler(label: label, logLevel: level) }
        case .json:
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, logLevel: level) }
        }
    }
}
