import Foundation
import Synchronization

/// A real SMTP server for tests: `scripts/lib/test-mail-server.py` (aiosmtpd) as a subprocess on 127.0.0.1, with
/// a maildir of what it received. Recipients starting with `reject` are refused with 550, those starting with
/// `stall` never answered.
public final class TestMailServer: Sendable {
    /// How the server secures connections.
    public enum TLS: Sendable {
        case none
        /// Offers STARTTLS.
        case startTLS
        /// TLS from the first byte.
        case implicit
    }

    public let port: Int
    /// The server's self-signed certificate (for IP 127.0.0.1 and DNS localhost) as PEM, to trust; nil without TLS.
    public let certificatePEM: String?
    /// Serves until its input closes, so it also ends with a test process that crashed.
    private let process: ChildProcess
    private let directory: URL
    private let stopped = Mutex(false)

    private var maildir: URL { directory.appendingPathComponent("mail") }
    private var log: URL { directory.appendingPathComponent("server.log") }

    private init(port: Int, certificatePEM: String?, process: ChildProcess, directory: URL) {
        self.port = port
        self.certificatePEM = certificatePEM
        self.process = process
        self.directory = directory
    }

    /// Starts a server and waits until it listens. With `username` and `password` it requires AUTH with the
    /// `authenticationMechanisms` it offers (PLAIN and LOGIN unless told).
    public static func start(
        username: String? = nil,
        password: String? = nil,
        tls: TLS = .none,
        authenticationMechanisms: [String] = ["PLAIN", "LOGIN"]
    ) async throws -> TestMailServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-test-mail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            return try await start(in: directory, username: username, password: password, tls: tls, mechanisms: authenticationMechanisms)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    private static func start(in directory: URL, username: String?, password: String?, tls: TLS, mechanisms: [String]) async throws -> TestMailServer
    {
        var arguments = [scriptPath, "--port", "0", "--maildir", directory.appendingPathComponent("mail").path]
        if let username, let password {
            arguments += ["--username", username, "--password", password, "--auth-mechanisms", mechanisms.joined(separator: ",")]
        }
        var certificatePEM: String?
        if tls != .none {
            let certificate = directory.appendingPathComponent("certificate.pem")
            let key = directory.appendingPathComponent("key.pem")
            try await makeCertificate(certificate: certificate, key: key)
            certificatePEM = try String(contentsOf: certificate, encoding: .utf8)
            arguments += ["--tls-cert", certificate.path, "--tls-key", key.path]
            if tls == .implicit { arguments.append("--implicit-tls") }
        }

        let python = try await interpreter
        let logPath = directory.appendingPathComponent("server.log").path
        let process = try ChildProcess(python[0], Array(python.dropFirst()) + arguments, input: .pipe, errors: .file(logPath))
        let ready: String
        do {
            ready = try await readyLine(of: process)
        } catch {
            await end(process, directory: directory)
            throw error
        }
        guard ready.hasPrefix("READY "), let port = Int(ready.dropFirst("READY ".count)) else {
            let printed = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            await end(process, directory: directory)
            throw TestFailure("the test mail server did not start: \(ready.isEmpty ? "no output" : ready); its log: \(printed)")
        }
        return TestMailServer(port: port, certificatePEM: certificatePEM, process: process, directory: directory)
    }

    /// Every message received so far, in order of arrival.
    public func messages() throws -> [ReceivedMail] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: maildir.path)) ?? []
        // The .json is written after its .eml, so a message whose .json is there is complete.
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            let record = maildir.appendingPathComponent(name)
            let raw = record.deletingPathExtension().appendingPathExtension("eml")
            return try ReceivedMail(record: Data(contentsOf: record), raw: Data(contentsOf: raw))
        }
    }

    /// Waits until at least `count` messages have arrived and returns them all; throws after `timeout`.
    public func waitForMessages(count: Int, timeout: Duration = .seconds(10)) async throws -> [ReceivedMail] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let received = try messages()
            if received.count >= count { return received }
            guard ContinuousClock.now < deadline else {
                throw TestFailure("\(received.count) of \(count) messages arrived within \(timeout); the server's log: \(serverLog)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// What the server wrote to its standard error.
    public var serverLog: String {
        (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }

    /// Stops the server and removes its files.
    public func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        // Closing its input ends it; terminate is for one that hangs. Nothing waits for it: its reaper does.
        process.closeInput()
        process.terminate()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }

    /// Ends a server that never became ready and removes its files.
    private static func end(_ process: ChildProcess, directory: URL) async {
        process.closeInput()
        process.terminate()
        _ = await process.finish()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The script, found from this file's place in the checkout.
    private static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/lib/test-mail-server.py").path
    }

    /// The Python to run it with: Debian's, where scripts/test installs python3-aiosmtpd, or else the first
    /// python3 on the PATH if that one has aiosmtpd (a developer's own Python with `pip install aiosmtpd`).
    private static var interpreter: [String] {
        get async throws {
            for candidate in [["/usr/bin/python3"], ["/usr/bin/env", "python3"]] {
                if (try? await ChildProcess.run(candidate[0], Array(candidate.dropFirst()) + ["-c", "import aiosmtpd"]))?.succeeded == true {
                    return candidate
                }
            }
            throw TestFailure("no python3 here can import aiosmtpd: run scripts/test as root once, or `pip install aiosmtpd`")
        }
    }

    /// A self-signed certificate for IP 127.0.0.1 and DNS localhost, as the client verifies both.
    private static func makeCertificate(certificate: URL, key: URL) async throws {
        let outcome = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.path, "-out", certificate.path, "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ]
        )
        guard outcome.status == 0 else { throw TestFailure("openssl could not make a test certificate: \(outcome.output)") }
    }

    /// The first line the server prints; ends the server when none comes within 30 seconds.
    private static func readyLine(of process: ChildProcess) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let printed = process.outputSoFar
            if let line = printed.split(separator: "\n", omittingEmptySubsequences: false).dropLast().first { return String(line) }
            guard process.isRunning else { return printed }
            guard ContinuousClock.now < deadline else {
                process.terminate()
                return ""
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

extension TestMailServer {
    /// One message as the server received it: the envelope, the raw message, and what Python's `email` parser
    /// read in it (header values decoded from RFC 2047, the body from its transfer encoding): an independent
    /// reading of what a client rendered.
    public struct ReceivedMail: Sendable {
        public let mailFrom: String
        public let recipients: [String]
        /// The message's text exactly as received in DATA (dot-stuffing undone), CRLF line ends and all.
        public let raw: String
        /// Whether the session was inside TLS when the message came.
        public let usedTLS: Bool
        /// The user the client signed in as; nil without AUTH.
        public let authenticatedAs: String?
        /// The Subject header, decoded; nil when missing.
        public let subject: String?
        /// The From and To headers, decoded.
        public let from: String?
        public let to: String?
        public let messageID: String?
        /// The body, decoded from its transfer encoding and charset, with LF line ends.
        public let text: String?
        /// What the parser found wrong with the message; empty for a well-formed one.
        public let defects: [String]

        private struct Record: Decodable {
            let mailFrom: String
            let recipients: [String]
            let tls: Bool
            let authenticatedAs: String?
            let subject: String?
            let from: String?
            let to: String?
            let messageID: String?
            let text: String?
            let defects: [String]

            enum CodingKeys: String, CodingKey {
                case mailFrom = "mail_from"
                case recipients = "rcpt_tos"
                case tls
                case authenticatedAs = "auth_login"
                case subject, from, to
                case messageID = "message_id"
                case text, defects
            }
        }

        init(record data: Data, raw: Data) throws {
            let record = try JSONDecoder().decode(Record.self, from: data)
            mailFrom = record.mailFrom
            recipients = record.recipients
            self.raw = String(decoding: raw, as: UTF8.self)
            usedTLS = record.tls
            authenticatedAs = record.authenticatedAs
            subject = record.subject
            from = record.from
            to = record.to
            messageID = record.messageID
            text = record.text
            defects = record.defects
        }

        /// The header `name` as sent, unfolded but not decoded (so an encoded subject shows `=?utf-8?B?...`).
        public func rawHeader(_ name: String) -> String? {
            let head = raw.components(separatedBy: "\r\n\r\n").first ?? ""
            let unfolded = head.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: "\t")
            let prefix = name.lowercased() + ":"
            return unfolded.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(prefix) }
                .map { String($0.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) }
        }
    }
}
