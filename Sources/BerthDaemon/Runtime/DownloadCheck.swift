import BerthHTTP
import BerthProtocol

/// Checks where an install downloads from before its script runs: each URL once the instance's variables
/// are filled in (a tenant sets them, so `http://{{HOST}}/server.jar` may point anywhere) and its host
/// resolved on this node, with ``OutboundCheck``'s rules. A resolver that answers differently a moment
/// later still meets the tenant network's rules, which keep installers off the node and link-local addresses.
struct DownloadCheck: Sendable {
    let outbound: OutboundCheck

    init(allowsPrivateAddresses: Bool) {
        outbound = OutboundCheck(allowsPrivateAddresses: allowsPrivateAddresses, wording: .downloads)
    }

    /// Why the install may not download from `template` with `environment` (the installer's), or nil.
    func problem(with template: String, environment: [String: String]) async -> String? {
        let filled = VariablePlaceholders.rewrite(template, variable: { environment[$0] ?? "" })
        do {
            _ = try await outbound.destination(of: filled)
            return nil
        } catch {
            return "the install would download from \(filled), \(error.reason)"
        }
    }

    func destination(of url: String) async throws(OutboundCheck.Refusal) -> OutboundCheck.Destination {
        try await outbound.destination(of: url)
    }
}
