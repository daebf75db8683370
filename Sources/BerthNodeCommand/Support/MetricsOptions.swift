import ArgumentParser

/// `--metrics-token-file`: what Prometheus on another machine shows to read `/metrics`
/// (`Authorization: Bearer`); without it, only this machine may.
package struct MetricsOptions: ParsableArguments {
    package init() {}

    @Option(
        name: .customLong("metrics-token-file"),
        help: ArgumentHelp("A file holding the token clients not on this machine show to read /metrics (or - for standard input).", valueName: "file")
    )
    package var tokenFile: String?

    package func token() throws -> String? {
        guard let tokenFile else { return nil }
        let token = try SecretInput.read(value: nil, file: tokenFile, option: "metrics-token")
        guard token.utf8.count >= 16 else { throw ValidationError("the metrics token in \(tokenFile) is shorter than 16 characters") }
        return token
    }
}
