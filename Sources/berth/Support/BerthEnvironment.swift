import BerthPanel
import DockerEngine
import Foundation

/// The environment variables Berth reads, read once when a command starts and passed down as values:
/// no library below the command line looks at the environment.
struct BerthEnvironment: Sendable {
    /// `BERTH_DATA`: the data directory when `--data` is not given.
    var dataDirectory: String?
    /// `BERTH_DATABASE_URL`: `postgres://...` for PostgreSQL.
    var databaseURL: String?
    /// `DOCKER_HOST`, as Docker's own tools read it.
    var dockerHost: DockerHost
    /// `BERTH_BENCH_CEILING=1`: the benchmarks' reference route.
    var benchCeiling: Bool
    /// `BERTH_SMTP_PASSWORD`: the password for `--smtp-username`.
    var smtpPassword: String?
    /// `BERTH_S3_SECRET_ACCESS_KEY`: the secret of `--s3-access-key-id`.
    var s3SecretAccessKey: String?

    static func read(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> BerthEnvironment {
        BerthEnvironment(
            dataDirectory: environment["BERTH_DATA"].flatMap { $0.isEmpty ? nil : $0 },
            databaseURL: environment[PanelConfiguration.databaseURLVariable].flatMap { $0.isEmpty ? nil : $0 },
            dockerHost: .fromEnvironment(environment),
            benchCeiling: environment[PanelConfiguration.benchCeilingVariable] == "1",
            smtpPassword: environment[MailOptions.passwordVariable].flatMap { $0.isEmpty ? nil : $0 },
            s3SecretAccessKey: environment[BackupStorageOptions.secretVariable].flatMap { $0.isEmpty ? nil : $0 }
        )
    }
}
