import ArgumentParser
import ObjectStorage

/// Where the panel keeps backups: on each instance's node (the default), or in an S3-compatible bucket.
/// The secret key comes from `BERTH_S3_SECRET_ACCESS_KEY`, never the command line, where every user of the
/// machine can read it in the process list. Nodes never get the key: the panel signs each request they send.
struct BackupStorageOptions: ParsableArguments {
    @Option(help: "Keep backups in this S3-compatible bucket (its key's secret in BERTH_S3_SECRET_ACCESS_KEY) instead of on the nodes.")
    var s3Bucket: String?

    @Option(help: "The object storage's URL, addressed path-style: https://s3.eu-central-1.amazonaws.com, http://minio.internal:9000.")
    var s3Endpoint: String?

    @Option(help: "The bucket's region, as its signatures name it.")
    var s3Region = "us-east-1"

    @Option(help: "The access key id of a key that may put, get and delete objects in the bucket.")
    var s3AccessKeyID: String?

    static let secretVariable = "BERTH_S3_SECRET_ACCESS_KEY"

    func validate() throws {
        guard s3Bucket != nil || s3Endpoint != nil || s3AccessKeyID != nil else { return }
        guard s3Bucket != nil, s3Endpoint != nil, s3AccessKeyID != nil else {
            throw ValidationError("--s3-bucket, --s3-endpoint and --s3-access-key-id go together (and \(Self.secretVariable))")
        }
    }

    /// The bucket, when one was given.
    func bucket(secret: String?) throws -> S3Bucket? {
        guard let s3Bucket, let s3Endpoint, let s3AccessKeyID else { return nil }
        guard let secret else { throw ValidationError("--s3-bucket needs the key's secret in \(Self.secretVariable)") }
        do {
            return try S3Bucket(
                endpoint: s3Endpoint,
                name: s3Bucket,
                region: s3Region,
                credentials: S3Credentials(accessKeyID: s3AccessKeyID, secretAccessKey: secret)
            )
        } catch {
            throw ValidationError("the backup bucket: \(error.description)")
        }
    }
}
