import ArgumentParser
import BerthHTTP

/// `--trusted-proxy`, for a panel behind a reverse proxy: only requests from these addresses may name
/// their client in `X-Forwarded-For`.
struct TrustedProxyOptions: ParsableArguments {
    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "A reverse proxy (address or CIDR, repeatable) whose X-Forwarded-For names the client for throttling and the audit log.",
            valueName: "cidr"
        )
    )
    var ranges: [String] = []

    func validate() throws {
        if let wrong = ranges.first(where: { AddressRange($0) == nil }) {
            throw ValidationError("--trusted-proxy \(wrong) is not an address or a CIDR block such as 10.0.0.0/8")
        }
    }

    var trustedProxies: TrustedProxies {
        TrustedProxies(ranges.compactMap(AddressRange.init))
    }
}
