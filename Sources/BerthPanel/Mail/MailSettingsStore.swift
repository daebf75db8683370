import Foundation
import SMTP
import SQLKit

/// The panel's SMTP settings: those an admin saved on the Mail page, else those the panel was started
/// with (`--smtp-host` and friends), else none, and no mail goes out. The password is sealed in the
/// database and never shown again.
package struct MailSettingsStore: Sendable {
    let database: PanelDatabase
    let box: SecretBox
    /// From the configuration; the admin's saved settings take their place.
    let configured: MailSettings?

    static let table = "panel_settings"
    static let row = "mail"
    static let passwordColumn = "panel_settings.mail.password"

    /// What the Mail page saves and shows; the password only ever goes in.
    struct Stored: Codable, Equatable {
        var host: String
        var port: Int
        var security: String
        var username: String?
        var sealedPassword: String?
        var fromAddress: String
        var fromName: String?
    }

    /// The settings mail goes out with now, or nil when none are set.
    package func current() async throws -> MailSettings? {
        guard let stored = try await saved() else { return configured }
        let password = try stored.sealedPassword.map { try box.open($0, of: Self.passwordColumn) }
        return MailSettings(
            server: SMTPServer(
                host: stored.host,
                port: stored.port,
                security: SMTPServer.Security(rawValue: stored.security) ?? .startTLS,
                username: stored.username,
                password: password
            ),
            from: try MailAddress(stored.fromAddress, name: stored.fromName)
        )
    }

    /// Whether the settings come from the Mail page (else from the configuration, or nowhere).
    package func isSavedByAdmin() async throws -> Bool {
        try await saved() != nil
    }

    /// Checks and saves what an admin typed. A blank password keeps the one saved before, so the page
    /// never has to show it.
    package func save(_ fields: RequestFields) async throws -> MailSettings {
        let host = try fields.string("host")
        guard host.count <= 253, !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "@" }) else {
            throw PanelError.invalid("host must be a host name or an address")
        }
        let portText = try fields.optionalString("port") ?? "587"
        guard let port = Int(portText), (1...65535).contains(port) else { throw PanelError.invalid("port must be a whole number from 1 to 65535") }
        let securityText = try fields.optionalString("security") ?? SMTPServer.Security.startTLS.rawValue
        guard let security = SMTPServer.Security(rawValue: securityText) else {
            throw PanelError.invalid("security must be one of \(SMTPServer.Security.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let username = try fields.optionalString("username")
        let fromAddress = try fields.string("fromAddress")
        let fromName = try fields.optionalString("fromName")
        let from: MailAddress
        do {
            from = try MailAddress(fromAddress, name: fromName)
        } catch {
            throw PanelError.invalid("fromAddress must be an e-mail address, and fromName one line")
        }
        var sealedPassword = try await saved()?.sealedPassword
        if let password = fields.value("password"), case .string(let text) = password, !text.isEmpty {
            sealedPassword = try box.seal(text, for: Self.passwordColumn)
        }
        if username == nil { sealedPassword = nil }
        let stored = Stored(
            host: host,
            port: port,
            security: security.rawValue,
            username: username,
            sealedPassword: sealedPassword,
            fromAddress: from.address,
            fromName: fromName
        )
        let value = String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
        try await database.sql().insert(into: Self.table).columns("name", "value").values(SQLBind(Self.row), SQLBind(value))
            .onConflict(with: ["name"]) { $0.set(excludedValueOf: "value") }
            .run()
        return try await current() ?? MailSettings(server: SMTPServer(host: host, port: port, security: security), from: from)
    }

    /// Forgets the saved settings; the configuration's, if any, apply again.
    package func clear() async throws {
        try await database.sql().delete(from: Self.table).where("name", .equal, Self.row).run()
    }

    private func saved() async throws -> Stored? {
        struct Row: Decodable { let value: String }
        guard let row = try await database.sql().select().column("value").from(Self.table).where("name", .equal, Self.row).first(decoding: Row.self)
        else { return nil }
        return try JSONDecoder().decode(Stored.self, from: Data(row.value.utf8))
    }
}
