import BerthHTTP
import FluentKit
import Foundation
import SQLKit

/// Which TLS certificate the panel trusts at each node: the one the node presented in its first signed
/// heartbeat (trust on first use), and from then on only that one. A node that presents another is
/// refused, and the panel sends it nothing, until an admin compares the fingerprint and accepts it.
package struct NodeTrust: Sendable {
    let database: PanelDatabase

    /// Checks the certificate a node's signed heartbeat presents: pins it when the node has none yet,
    /// and refuses (403) one that differs from the pin, keeping it for an admin to accept.
    func check(presented pem: String?, by node: Node) async throws {
        guard let pem else { return }
        let presented: PinnedCertificate
        do {
            presented = try PinnedCertificate(pem: pem)
        } catch {
            throw APIError.badRequest("field certificate is not a PEM certificate")
        }
        let id = try node.requireID()
        guard let pinned = node.pinnedCertificate else {
            // Conditional, so of two first heartbeats at once one pins, and the other is compared with its pin.
            try await database.sql().raw(
                "UPDATE nodes SET certificate = \(bind: presented.pem), offered_certificate = NULL WHERE id = \(bind: id) AND certificate IS NULL"
            ).run()
            guard let reread = try await Node.find(id, on: database.db()), reread.certificate != nil else { return }
            return try await check(presented: pem, by: reread)
        }
        if pinned.fingerprint == presented.fingerprint {
            if node.offeredCertificate != nil {
                try await database.sql().raw("UPDATE nodes SET offered_certificate = NULL WHERE id = \(bind: id)").run()
            }
            return
        }
        if node.offeredCertificate != presented.pem {
            try await database.sql().raw("UPDATE nodes SET offered_certificate = \(bind: presented.pem) WHERE id = \(bind: id)").run()
        }
        throw APIError(
            .forbidden,
            "this node presents a TLS certificate (\(presented.fingerprint)) other than the one pinned for it (\(pinned.fingerprint)); an admin must accept it on the node's page"
        )
    }

    /// Makes the certificate the node offered the pinned one, if it is still the one with `fingerprint`
    /// (the one the admin compared); false when there is no such offer.
    package func acceptOffer(of nodeID: String, fingerprint: String) async throws -> Bool {
        guard let uuid = UUID(uuidString: nodeID), let node = try await Node.find(uuid, on: database.db()),
            let offered = node.offeredCertificate, (try? PinnedCertificate(pem: offered))?.fingerprint == fingerprint
        else { return false }
        try await database.sql().raw(
            "UPDATE nodes SET certificate = offered_certificate, offered_certificate = NULL WHERE id = \(bind: uuid) AND offered_certificate = \(bind: offered)"
        ).run()
        return true
    }
}
