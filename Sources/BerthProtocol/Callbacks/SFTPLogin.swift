/// A daemon asks the panel at `POST /api/remote/sftp/login` whether someone may open an instance's files
/// over SFTP: the login as typed (`username.<short instance id>`), and the password or the public key
/// they offered. The panel answers 200 with an ``SFTPGrant``, or 403 with the reason.
public struct SFTPLoginRequest: Codable, Sendable, Equatable {
    public var login: String
    public var password: String?
    /// The offered key in OpenSSH's one-line form (`ssh-ed25519 AAAA…`).
    public var publicKey: String?
    /// Where the connection comes from, for throttling and the audit log.
    public var clientAddress: String

    public init(login: String, password: String? = nil, publicKey: String? = nil, clientAddress: String) {
        self.login = login
        self.password = password
        self.publicKey = publicKey
        self.clientAddress = clientAddress
    }
}

/// Whom the panel let in, to which instance, and how far.
public struct SFTPGrant: Codable, Sendable, Equatable {
    public var instanceID: String
    public var userID: String
    public var username: String
    /// Without the files.write permission: reading and listing only.
    public var readOnly: Bool
    /// The image's file denylist (``FileDenylist``), empty for administrators: paths the session may list
    /// but not open, change or remove.
    public var deniedPatterns: [String]

    public init(instanceID: String, userID: String, username: String, readOnly: Bool, deniedPatterns: [String] = []) {
        self.instanceID = instanceID
        self.userID = userID
        self.username = username
        self.readOnly = readOnly
        self.deniedPatterns = deniedPatterns
    }
}

/// A daemon asks again at `POST /api/remote/sftp/access`, every few seconds while a session is open,
/// whether a grant still holds: 200 with the ``SFTPGrant`` as it is now, or 403 (access taken away, the
/// user deleted, the instance suspended), which ends the session.
public struct SFTPAccessRequest: Codable, Sendable, Hashable {
    public var instanceID: String
    public var userID: String

    public init(instanceID: String, userID: String) {
        self.instanceID = instanceID
        self.userID = userID
    }
}

/// What SFTP sessions changed, which a daemon posts to `POST /api/remote/sftp/activity` every few seconds
/// for the panel's audit log (and each instance's Activity card). Answered 204.
public struct SFTPActivityBatch: Codable, Sendable, Equatable {
    public var entries: [SFTPActivity]
    /// Entries the node dropped because the panel could not be reached and its queue was full.
    public var dropped: Int

    public init(entries: [SFTPActivity], dropped: Int = 0) {
        self.entries = entries
        self.dropped = dropped
    }
}

/// One change made over SFTP: who, on which instance, from where, what (`sftp.remove`) and to what.
public struct SFTPActivity: Codable, Sendable, Equatable {
    public var instanceID: String
    public var username: String
    public var clientAddress: String
    public var action: String
    public var target: String

    public init(instanceID: String, username: String, clientAddress: String, action: String, target: String) {
        self.instanceID = instanceID
        self.username = username
        self.clientAddress = clientAddress
        self.action = action
        self.target = target
    }
}
