// swift-tools-version:6.2
import PackageDescription

// One module per role (docs/architecture.md): wire types, what both HTTP sides share, the Docker client,
// the node daemon, the panel's core, its web UI, and the `berth` command line that composes them.
// Each target declares exactly the modules it imports.
let package = Package(
    name: "Berth",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "berth", targets: ["berth"]),
        .executable(name: "berth-node", targets: ["berth-node"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssh.git", from: "0.15.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "BerthProtocol"
        ),
        .target(
            name: "BerthHTTP",
            dependencies: [
                "BerthProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "DockerEngine",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // openat2(2), which glibc does not wrap, for the confined file layer.
        .target(name: "CConfinedFiles"),
        // libarchive, Debian's libarchive-dev (scripts install it), for archives in the confined file layer.
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .target(name: "ConfinedFiles", dependencies: ["CConfinedFiles", "CArchive"]),
        // Project quotas (FS_IOC_FSSETXATTR, quotactl_fd), which Swift cannot call, for a node's disk limits.
        .target(name: "CProjectQuota"),
        // Cron expressions and their due times; knows nothing of Berth.
        .target(name: "Cron"),
        // S3-compatible object storage: a SigV4 signer and the calls backups make; knows nothing of Berth.
        .target(
            name: "ObjectStorage",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "BerthDaemon",
            dependencies: [
                "BerthProtocol",
                "BerthHTTP",
                "DockerEngine",
                "ConfinedFiles",
                "CProjectQuota",
                "SFTP",
                "ObjectStorage",
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOSSH", package: "swift-nio-ssh"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "BerthPanel",
            dependencies: [
                "Cron",
                "SMTP",
                "ObjectStorage",
                "BerthProtocol",
                "BerthHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            exclude: ["Resources"],
            plugins: ["EmbedResources"]
        ),
        .target(
            name: "BerthWeb",
            dependencies: [
                "SMTP",
                "BerthProtocol",
                "BerthHTTP",
                "BerthPanel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Resources"],
            plugins: ["EmbedResources"]
        ),
        // The node's command line (`berth daemon`), shared by `berth` and `berth-node`.
        .target(
            name: "BerthNodeCommand",
            dependencies: [
                "BerthHTTP",
                "DockerEngine",
                "BerthDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The node daemon alone, linking none of the panel: a node's own memory stays small.
        .executableTarget(
            name: "berth-node",
            dependencies: [
                "BerthNodeCommand",
                "BerthProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: leanReleaseLink("berth-node")
        ),
        .executableTarget(
            name: "berth",
            dependencies: [
                "SMTP",
                "ObjectStorage",
                "BerthHTTP",
                "DockerEngine",
                "BerthDaemon",
                "BerthNodeCommand",
                "BerthPanel",
                "BerthWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: leanReleaseLink("berth")
        ),
        // Builds a target's Resources/ folder into its code, so the `berth` binary is one file.
        .executableTarget(name: "EmbedFiles"),
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["EmbedFiles"]),
        // The SFTP v3 protocol: packets, handles and a session's state over any file system; knows nothing of Berth.
        .target(
            name: "SFTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // SMTP for notification mail; knows nothing of Berth.
        .target(
            name: "SMTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "BerthTestSupport",
            dependencies: [
                "BerthProtocol",
                "BerthDaemon",
                "DockerEngine",
                "CArchive",
                "ObjectStorage",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/BerthTestSupport"
        ),
        .testTarget(name: "BerthProtocolTests", dependencies: ["BerthProtocol"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ConfinedFilesTests", dependencies: ["ConfinedFiles", "BerthTestSupport"]),
        .testTarget(name: "CronTests", dependencies: ["Cron"]),
        .testTarget(name: "ObjectStorageTests", dependencies: ["ObjectStorage", "BerthTestSupport"]),
        .testTarget(name: "DockerEngineTests", dependencies: ["DockerEngine", "BerthTestSupport"]),
        .testTarget(
            name: "SFTPTests",
            dependencies: ["SFTP", .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "SMTPTests",
            dependencies: ["SMTP", "BerthTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "BerthClusterTests",
            dependencies: ["BerthTestSupport", .product(name: "NIOHTTP1", package: "swift-nio")]
        ),
        .testTarget(
            name: "BerthDaemonTests",
            dependencies: [
                "BerthDaemon", "DockerEngine", "BerthProtocol", "BerthHTTP", "BerthTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "BerthPanelTests",
            dependencies: [
                "BerthPanel", "BerthWeb", "BerthDaemon", "BerthProtocol", "BerthHTTP", "DockerEngine", "BerthTestSupport", "ObjectStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
            ]
        ),
    ]
)

/// A release link as lean in memory as it can be. It places the functions that a panel or a node runs while it
/// starts and idles side by side (`CodeOrder/`, written by `benchmarks/code_order.py`; why in docs/performance.md):
/// the kernel maps code in by the 64 KiB around each page touched, so scattered, they keep most of the binary
/// resident. lld reads the order and skips names it no longer finds. It moves what sits in sections of its own:
/// the Swift runtime, Foundation, and every module compiled with `-function-sections` (`scripts/build-release`).
func leanReleaseLink(_ executable: String) -> [LinkerSetting] {
    let order = String(#filePath.dropLast("Package.swift".count)) + "CodeOrder/\(executable).txt"
    let flags = [
        "-use-ld=lld", "-Xlinker", "--symbol-ordering-file=\(order)", "-Xlinker", "--no-warn-symbol-ordering",
        // Nothing loads these executables' symbols, so their table need not be public (the runtime's link
        // arguments export it): a megabyte less for the loader to read and relocate against.
        "-Xlinker", "--no-export-dynamic",
        // Relative relocations packed (DT_RELR, glibc 2.36, Debian 12): 3.5 MiB of them become 30 KiB.
        "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
    ]
    return [.unsafeFlags(flags, .when(platforms: [.linux], configuration: .release))]
}
