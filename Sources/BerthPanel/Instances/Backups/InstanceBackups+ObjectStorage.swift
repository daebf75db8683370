import BerthProtocol
import FluentKit
import Foundation
import ObjectStorage

/// Backups kept in the panel's S3-compatible bucket. The node writes the archive as for any backup, then
/// sends it to the bucket in parts, each with a request the panel signed for it; the bucket's key never
/// leaves the panel. Once the bucket has it whole, the node's copy goes.
extension InstanceBackups {
    /// The object a backup's archive is kept as.
    static func objectKey(instance id: String, backup: String) -> String {
        "backups/\(id.lowercased())/\(backup.lowercased()).tar.zst"
    }

    /// Parts of 64 MiB (more for archives past 640 GiB, since an upload has at most 10,000 parts), sent 8 at
    /// a time: each batch's requests are signed just before it goes, well within their 15 minutes.
    static let partSize: Int64 = 64 << 20
    static let partsPerBatch = 8

    /// Sends the node's archive of `backupID` to the bucket, then removes the node's copy. An upload that
    /// fails is aborted (the bucket keeps no parts of it); the node's copy then goes with the failed backup.
    func upload(_ backupID: String, of instance: Instance, size: Int64, to bucket: S3Client) async throws {
        let id = try instance.requireID().uuidString.lowercased()
        let key = Self.objectKey(instance: id, backup: backupID)
        let uploadID = try await Self.storing { try await bucket.startMultipartUpload(key: key) }
        do {
            let partSize = max(Self.partSize, (size + 9_999) / 10_000)
            let count = max(1, Int((size + partSize - 1) / partSize))
            var etags: [String] = []
            for first in stride(from: 1, through: count, by: Self.partsPerBatch) {
                let parts = (first...min(count, first + Self.partsPerBatch - 1)).map { number in
                    let offset = Int64(number - 1) * partSize
                    return BackupUpload.Part(
                        number: number,
                        offset: offset,
                        length: min(partSize, size - offset),
                        request: ObjectRequest(bucket.partUpload(key: key, uploadID: uploadID, number: number))
                    )
                }
                let answer = try await InstanceFiles.asking {
                    try await store.daemons.send(
                        .POST,
                        Self.route(DaemonRoutes.backupUpload, instance: id, backup: backupID),
                        body: BackupUpload(parts: parts),
                        to: instance.node,
                        expecting: BackupUploadAnswer.self,
                        deadline: DaemonClient.transferDeadline
                    )
                }
                etags += answer.etags
            }
            try await Self.storing { try await bucket.completeMultipartUpload(key: key, uploadID: uploadID, etags: etags) }
        } catch {
            try? await bucket.abortMultipartUpload(key: key, uploadID: uploadID)
            throw error
        }
        do {
            try await deleteNodeCopy(of: backupID, of: instance)
        } catch {
            // The backup is safe in the bucket; a copy left on the node only takes room, and is said.
            store.logger.warning("backup \(backupID) is in the bucket, but its copy on the node was not removed: \(error)")
        }
    }

    /// Deletes the archives of the instance's backups kept in the bucket, as the instance goes.
    func removeFromBucket(of instance: Instance) async throws {
        let id = try instance.requireID()
        let stored = try await Backup.query(on: store.database.db()).filter(\.$instance.$id == id)
            .filter(\.$storage == BackupStorage.s3.rawValue).all()
        for backup in stored {
            let key = Self.objectKey(instance: id.uuidString, backup: try backup.requireID().uuidString)
            try await Self.storing { try await bucket(for: backup).deleteObject(key: key) }
        }
    }

    /// The bucket a backup kept in object storage is in: the panel's, which must still be configured.
    func bucket(for backup: Backup) throws -> S3Client {
        guard let bucket = store.backupBucket else {
            throw PanelError.storageFailed("the backup is kept in object storage, and the panel runs without it now (--s3-bucket)")
        }
        return bucket
    }

    /// Runs a call to the bucket, its failure said as the panel says storage failures.
    static func storing<Answer>(_ body: () async throws -> Answer) async throws -> Answer {
        do {
            return try await body()
        } catch let error as S3Error where error.code == "NoSuchKey" {
            throw PanelError.notFound("the backup's archive is no longer in the bucket")
        } catch let error as S3Error {
            throw PanelError.storageFailed("\(error)")
        }
    }
}

extension ObjectRequest {
    init(_ signed: SignedRequest) {
        self.init(
            method: signed.method,
            url: signed.url,
            headers: Dictionary(signed.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        )
    }
}
