import ArgumentParser
import BerthNodeCommand
import BerthPanel
import Foundation

/// `berth apikey create|list|revoke`.
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey",
        abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; it is printed once, alone on the last line.")
        @OptionGroup var location: DataOptions
        @Option(help: "A name that says who uses the key.") var name: String
        @Option(
            name: .customLong("scope"),
            help: "What the key may do (repeatable): admin (everything, the default), read, or users|instances|nodes|images:read|write."
        )
        var scopes: [String] = []
        @Option(help: "The userId of a user the key acts as: it then reaches only that user's instances.") var user: String?

        func run() async throws {
            let scopes = self.scopes.isEmpty ? "admin" : self.scopes.joined(separator: " ")
            let key = try await withPanelData(location) { try await $0.createAPIKey(name: name, scopes: scopes, owner: user) }
            print("API key \(name) created. It is shown this once; keep it safe:")
            print(key)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never the keys themselves, which are not kept).")
        @OptionGroup var location: DataOptions

        func run() async throws {
            let keys = try await withPanelData(location) { try await $0.listAPIKeys() }
            let time = { (date: Date?) in date.map { ISO8601DateFormatter().string(from: $0) } ?? "never" }
            for key in keys {
                print(
                    "\(key.id)  \(key.revoked ? "revoked" : "active ")  created \(time(key.created))  last used \(time(key.lastUsed))  "
                        + "\(key.name)  [\(key.scopes)]\(key.owner.map { "  as user \($0)" } ?? "")"
                )
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its id or name; it stops working at once.")
        @OptionGroup var location: DataOptions
        @Argument(help: "The key's id or name.") var key: String

        func run() async throws {
            try await withPanelData(location) { try await $0.revokeAPIKey(key) }
            print("revoked \(key)")
        }
    }
}

/// `berth user create`.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage users.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user.")
        @OptionGroup var location: DataOptions
        @Option var username: String
        @Option var email: String
        @Option(help: "The password (visible to other users of this machine in ps; prefer --password-file).")
        var password: String?
        @Option(help: "A file holding the password, or - to read it from standard input.")
        var passwordFile: String?
        @Flag(help: "Make the user an administrator.") var admin = false

        func run() async throws {
            let password = try SecretInput.read(value: password, file: passwordFile, option: "password")
            let userID = try await withPanelData(location) {
                try await $0.createUser(username: username, email: email, password: password, admin: admin)
            }
            print("created user \(username) (userId \(userID))")
        }
    }
}

/// `berth image import FILE`.
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "image", abstract: "Manage images.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import", abstract: "Import a Skyport image JSON file.")
        @OptionGroup var location: DataOptions
        @Argument(help: "The image JSON file.") var file: String

        func run() async throws {
            let name = try await withPanelData(location) { try await $0.importImage(at: file) }
            print("imported image \(name)")
        }
    }
}
