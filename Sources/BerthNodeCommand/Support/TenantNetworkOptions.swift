import ArgumentParser

/// How far a node lets its tenants reach.
package struct TenantNetworkOptions: ParsableArguments {
    package init() {}

    @Flag(help: "Run instances without the tenant network fence (only for code you trust; see docs/security.md).")
    package var noNetworkIsolation = false

    @Flag(
        help:
            "Let instances and their installers reach private network addresses (10/8, 172.16/12, 192.168/16, 100.64/10): a database on the node's network, say. Implies --allow-private-downloads."
    )
    package var allowPrivateNetwork = false

    @Flag(help: "Let install scripts and file fetches download from private network addresses (10/8, 172.16/12, 192.168/16, fc00::/7).")
    package var allowPrivateDownloads = false

    package var isolates: Bool { !noNetworkIsolation }
    /// What an installer could reach anyway is no reason to refuse its download.
    package var allowsPrivateDownloads: Bool { allowPrivateDownloads || allowPrivateNetwork }
}
