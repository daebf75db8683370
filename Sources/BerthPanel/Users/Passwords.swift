import BerthHTTP
import HummingbirdBcrypt
import NIOPosix

/// bcrypt, off the event loops (it is slow on purpose).
package enum Passwords {
    static func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: 10) }
    }

    /// Whether `password` matches `hash`. Without a user to check against, a dummy hash is checked
    /// all the same, so the time taken does not tell which usernames exist.
    package static func verify(_ password: String, hash: String?) async throws -> Bool {
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash ?? dummyHash) }
        return hash != nil && matches
    }

    /// Made once, at the first check, with the same cost as real hashes so it takes as long to check.
    private static let dummyHash = Bcrypt.hash(Secrets.generate(), cost: 10)
}
