import Foundation
import Logging
import SMTP
import ServiceLifecycle

/// Sends the panel's e-mail. Requests post letters and go on at once: the request that asked for a
/// password reset answers in the same time whether or not the account exists, and a slow or broken mail
/// server never holds a page up. The letters wait in a bounded queue; one that cannot go out is logged
/// (recipient and reason, never the text: it holds links that work).
package struct Mailer: Service {
    let settings: MailSettingsStore
    let logger: Logger
    private let letters: AsyncStream<Letter>
    private let queue: AsyncStream<Letter>.Continuation

    /// Letters waiting to go out; past this, new ones are dropped and logged.
    static let backlog = 100

    init(settings: MailSettingsStore, logger: Logger) {
        self.settings = settings
        self.logger = logger
        (letters, queue) = AsyncStream.makeStream(of: Letter.self, bufferingPolicy: .bufferingOldest(Self.backlog))
    }

    /// Whether letters can go out at all: someone set up a mail server.
    package func isConfigured() async throws -> Bool {
        try await settings.current() != nil
    }

    /// Queues a letter and returns at once.
    package func post(_ letter: Letter) {
        if case .dropped = queue.yield(letter) {
            logger.error("a letter to \(letter.to) was dropped: \(Self.backlog) letters are waiting to go out already")
        }
    }

    /// Sends a letter now and throws what went wrong: the Mail page's test letter, whose admin wants to know.
    package func sendNow(_ letter: Letter) async throws {
        guard let current = try await settings.current() else {
            throw PanelError.conflict("no mail server is set up")
        }
        let message = MailMessage(from: current.from, to: [try MailAddress(letter.to)], subject: letter.subject, text: letter.text)
        try await SMTPClient(server: current.server, helloName: "berth", logger: logger).send(message)
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            for await letter in letters {
                do {
                    try await sendNow(letter)
                } catch {
                    logger.error("a letter to \(letter.to) could not be sent: \(error)")
                }
            }
        }
    }
}

extension Mailer: CustomStringConvertible {
    /// Only the name: ServiceLifecycle logs its services at debug level, and the settings hold the SMTP password.
    package var description: String { "Mailer" }
}
