import BerthHTTP
import FluentKit
import Foundation

/// What the command line and first start do to a panel's data, with or without the panel running.
extension Panel {
    /// A new API key; the string returned is the whole key, shown once. `scopes` as `berth apikey create
    /// --scope` takes them; `owner` is the `userId` of the user the key acts as.
    public func createAPIKey(name: String, scopes: String = "admin", owner: String? = nil) async throws -> String {
        try await apiKeys.create(name: name, scopes: try APIKeyScopes(scopes), ownerUserID: owner).secret
    }

    /// Every key, never the key itself, which is not kept.
    public func listAPIKeys() async throws -> [APIKeyListing] {
        try await apiKeys.list().map(APIKeyListing.init)
    }

    public func revokeAPIKey(_ idOrName: String) async throws {
        guard try await apiKeys.revoke(idOrName) else { throw PanelError.notFound("no unrevoked API key with that id or name") }
    }

    public func createUser(username: String, email: String, password: String, admin: Bool) async throws -> String {
        try await users.create(username: username, email: email, password: password, userID: nil, admin: admin).userID
    }

    /// Imports one image JSON file; returns the image's name.
    public func importImage(at path: String) async throws -> String {
        try await imageImporter.importFile(at: path).name
    }

    /// At first start: the images from the images folder, and an admin account whose password is
    /// returned once and written to a file only its owner can read, until the admin changes it. Does
    /// nothing on later starts.
    public func prepareFirstStart() async throws -> (adminPassword: String, passwordFile: String)? {
        if let directory = configuration.imagesDirectory, try await Image.query(on: database.db()).count() == 0 {
            let count = try await imageImporter.importDirectory(directory)
            logger.info("imported \(count) image(s) from \(directory)")
        }
        guard try await User.query(on: database.db()).count() == 0 else { return nil }
        let password = String(Secrets.generate().prefix(20))
        _ = try await users.create(
            username: UserStore.initialAdmin,
            email: "admin@localhost.localdomain",
            password: password,
            userID: nil,
            admin: true
        )
        let file = configuration.initialPasswordFile
        FileManager.default.createFile(atPath: file, contents: Data("admin\n\(password)\n".utf8), attributes: [.posixPermissions: 0o600])
        return (password, file)
    }

    /// Registers (or updates) the node that runs in the same process, under its credentials, with its
    /// certificate pinned at once: the panel has it from the node's own files, so no first use is trusted.
    /// `portRanges` are the new node's; an admin's later changes to them are kept.
    package func registerLocalNode(
        port: Int,
        credentials: NodeCredentials,
        certificatePEM: String,
        ram: Int,
        disk: Int,
        cores: Int,
        portRanges: PortRanges = .none
    ) async throws {
        let digest = Secrets.digest(credentials.toPanel)
        let node: Node
        if let existing = try await Node.query(on: database.db()).filter(\.$tokenDigest == digest).first() {
            node = existing
            node.port = port
            node.ram = ram
            node.disk = disk
        } else {
            (node, _) = try await nodes.create(
                name: "local",
                tags: "local",
                ram: ram,
                disk: disk,
                processor: "\(cores) cores",
                address: "127.0.0.1",
                port: port,
                policy: NodeAllocationPolicy.standard.with(portRanges: portRanges),
                credentials: credentials
            )
        }
        node.cores = Double(cores)
        node.certificate = certificatePEM
        node.offeredCertificate = nil
        try await node.save(on: database.db())
    }
}
