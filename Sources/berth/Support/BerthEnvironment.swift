import BerthNodeCommand
import BerthPanel
import Foundation

/// The environment variables Berth reads, read once when a command starts and passed down as values:
/// no library below the command line looks at the environment.
struct BerthEnvironment: Sendable {
    /// `BERTH_DATA` and `DOCKER_HOST`, which the node's own commands read too.
    var node: NodeEnvironment
    /// `BERTH_DATABASE_URL`: `postgres://...` for PostgreSQL.
    var databaseURL: String?
    /// `BERTH_BENCH_CEILING=1`: the benchmarks' reference route.
    var benchCeiling: Bool
    /// `BERTH_SMTP_PASSWORD`: the password for `--smtp-username`.
    var smtpPassword: String?
    /// `BERTH_S3_SECRET_ACCESS_KEY`: the secret of `--s3-access-key-id`.
    var s3SecretAccessKey: String?

    static func read(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> BerthEnvironment {
        BerthEnvironment(
            node: .read(environment),
            databaseURL: environment[PanelConfiguration.databaseURLVariable].flatMap { $0.isEmpty ? nil : $0 },
            benchCeiling: environment[PanelConfiguration.benchCeilingVariable] == "1",
            smtpPassword: environment[MailOptions.passwordVariable].flatMap { $0.isEmpty ? nil : $0 },
            s3SecretAccessKey: environment[BackupStorageOptions.secretVariable].flatMap { $0.isEmpty ? nil : $0 }
        )
    }
}
