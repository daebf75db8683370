import FluentKit
import SQLKit

/// Where a node serves SFTP and its host key's fingerprint, as its heartbeats report them: what the
/// instance page shows users to connect and to check the key. NULL until a node reports SFTP.
struct AddNodeSFTP: AsyncMigration {
    var name: String { "node-sftp" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE nodes ADD COLUMN sftp_port INTEGER").run()
        try await sql.raw("ALTER TABLE nodes ADD COLUMN sftp_fingerprint TEXT").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("ALTER TABLE nodes DROP COLUMN sftp_fingerprint").run()
        try await sql.raw("ALTER TABLE nodes DROP COLUMN sftp_port").run()
    }
}
