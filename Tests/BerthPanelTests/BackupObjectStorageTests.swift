import BerthTestSupport
import Foundation
import NIOCore
import ObjectStorage
import Testing

@testable import BerthPanel

/// Backups kept in a real S3-compatible server (moto with its signature checks on, started by
/// `scripts/test`): made from a running instance and sent by the node with requests the panel signed,
/// restored byte for byte, downloaded, deleted; a wrong key and a replaced object change nothing.
@Suite("Backups in object storage", .timeLimit(.minutes(4)))
struct BackupObjectStorageTests {
    let server: TestS3Server

    init() throws {
        server = try TestS3Server.fromEnvironment()
    }

    func bucket(secret: String? = nil) throws -> S3Bucket {
        try S3Bucket(
            endpoint: server.endpoint,
            name: server.bucket,
            region: "us-east-1",
            credentials: S3Credentials(accessKeyID: server.accessKeyID, secretAccessKey: secret ?? server.secretAccessKey)
        )
    }

    static func key(_ id: String, _ backup: String) -> String { "backups/\(id)/\(backup).tar.zst" }

    @Test("a backup of a running instance goes to the bucket, not the node, and restores from it byte for byte")
    func roundTrip() async throws {
        let client = S3Client(bucket: try bucket())
        try await TestPanel.with(withNode: true, backupBucket: try bucket()) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner, disk: "64M")
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let key = try await panel.panel.createAPIKey(name: "owner's", scopes: "instances:write", owner: owner)
            let volume = panel.dataDirectory + "/node/volumes/" + id
            let world = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ $0 >> 11) })
            for (path, bytes) in [("world/region/r.0.0.mca", world), ("server.properties", Data("motd=before\n".utf8))] {
                #expect(
                    try await panel.request(.PUT, FileAPITests.files(id, "/contents", path: path), bytes: bytes, apiKey: .some(key)).status == 201
                )
            }
            try FileManager.default.createSymbolicLink(atPath: volume + "/latest", withDestinationPath: "world/region/r.0.0.mca")
            let before = try VolumeSnapshot(volume)

            let made = try await BackupTests.make(panel, id, json: #"{"name": "nightly"}"#, apiKey: .some(key))
            let backup = try #require(made["id"] as? String)
            #expect(made["storage"] as? String == "s3" && made["state"] as? String == "ready", "\(made)")
            #expect(!FileManager.default.fileExists(atPath: panel.dataDirectory + "/node/backups/\(id)/\(backup).tar.zst"), "the node keeps no copy")
            let object = Data(try await client.get(key: Self.key(id, backup)).body.collect(upTo: 64 << 20).readableBytesView)
            let objectFile = panel.dataDirectory + "/object.tar.zst"
            try object.write(to: URL(fileURLWithPath: objectFile))
            #expect(made["sha256"] as? String == (try BackupTests.sha256(of: objectFile)), "the bucket holds the archive recorded")
            #expect(made["size"] as? Int == object.count)
            #expect(try await panel.instance(id)["PowerState"] as? String == "running", "a backup does not stop the instance")

            let download = try await panel.request(.GET, BackupTests.backups(id, "/\(backup)/download"), apiKey: .some(key))
            #expect(download.status == 200 && download.body == object)
            let range = try await panel.request(
                .GET,
                BackupTests.backups(id, "/\(backup)/download"),
                bytes: nil,
                headers: [("Range", "bytes=10-19")],
                apiKey: .some(key)
            )
            #expect(range.status == 206 && range.body == object[10..<20])

            #expect(
                try await panel.request(.POST, FileAPITests.files(id, "/delete"), json: #"{"paths": ["world", "latest"]}"#, apiKey: .some(key)).status
                    == 204
            )
            #expect(
                try await panel.request(
                    .PUT,
                    FileAPITests.files(id, "/contents", path: "server.properties"),
                    bytes: Data("motd=after\n".utf8),
                    apiKey: .some(key)
                )
                .status == 201
            )
            let one = try await panel.request(
                .POST,
                BackupTests.backups(id, "/\(backup)/restore"),
                json: #"{"path": "server.properties"}"#,
                apiKey: .some(key)
            )
            #expect(one.status == 200, "\(one.text)")
            #expect(try String(contentsOfFile: volume + "/server.properties", encoding: .utf8) == "motd=before\n")
            #expect(!FileManager.default.fileExists(atPath: volume + "/world"), "only the path asked for came back")

            let restored = try await panel.request(.POST, BackupTests.backups(id, "/\(backup)/restore"), apiKey: .some(key))
            #expect(restored.status == 200, "\(restored.text)")
            #expect(try VolumeSnapshot(volume) == before, "the files are the backup's, byte for byte")
            #expect(
                (try? FileManager.default.contentsOfDirectory(atPath: panel.dataDirectory + "/node/backups/\(id)"))?.isEmpty ?? true,
                "the fetched archive is not kept on the node"
            )
            try await panel.waitFor(id, "running again") { $0["PowerState"] as? String == "running" }

            #expect(try await panel.request(.DELETE, BackupTests.backups(id, "/\(backup)"), apiKey: .some(key)).status == 204)
            let deleted = await #expect(throws: S3Error.self) { try await client.get(key: Self.key(id, backup)) }
            #expect(deleted?.code == "NoSuchKey")

            // The instance's deletion takes its backups out of the bucket too.
            let last = try #require(try await BackupTests.make(panel, id, apiKey: .some(key))["id"] as? String)
            _ = try await client.get(key: Self.key(id, last))
            #expect(try await panel.request(.DELETE, "/api/instance/delete", ["id": id]).status == 201)
            let gone = await #expect(throws: S3Error.self) { try await client.get(key: Self.key(id, last)) }
            #expect(gone?.code == "NoSuchKey")
        }
    }

    @Test("with a wrong secret the backup fails with the storage's reason, and neither the node nor the bucket keeps anything")
    func wrongSecret() async throws {
        let client = S3Client(bucket: try bucket())
        try await TestPanel.with(withNode: true, backupBucket: try bucket(secret: "not the secret")) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            let made = try await BackupTests.make(panel, id)
            #expect(made["state"] as? String == "failed")
            #expect((made["failure"] as? String)?.contains("SignatureDoesNotMatch") == true, "\(made)")
            #expect(try await panel.request(.GET, BackupTests.backups(id)).array.count == 1)
            let backup = try #require(made["id"] as? String)
            #expect((try? FileManager.default.contentsOfDirectory(atPath: panel.dataDirectory + "/node/backups/\(id)"))?.isEmpty ?? true)
            await #expect(throws: S3Error.self) { try await client.get(key: Self.key(id, backup)) }
        }
    }

    @Test("an archive replaced in the bucket is refused by its checksum, and the files and the running instance stay as they are")
    func replacedObject() async throws {
        let client = S3Client(bucket: try bucket())
        try await TestPanel.with(withNode: true, backupBucket: try bucket()) { panel in
            let owner = try await panel.createUser("owner")
            let id = try await InstanceTests.deployReadyEcho(panel, owner: owner)
            try await panel.waitFor(id, "running") { $0["PowerState"] as? String == "running" }
            let volume = panel.dataDirectory + "/node/volumes/" + id
            let backup = try #require(try await BackupTests.make(panel, id)["id"] as? String)
            #expect(try await panel.request(.PUT, FileAPITests.files(id, "/contents", path: "kept.txt"), bytes: Data("kept".utf8)).status == 201)
            let before = try VolumeSnapshot(volume)

            // Someone with the bucket's key puts another archive in its place.
            let key = Self.key(id, backup)
            let upload = try await client.startMultipartUpload(key: key)
            let part = try await client.partUpload(key: key, uploadID: upload, number: 1).send(body: Data("not the backup".utf8))
            try await client.completeMultipartUpload(key: key, uploadID: upload, etags: [try #require(part.headers.first(name: "ETag"))])

            let refused = try await panel.request(.POST, BackupTests.backups(id, "/\(backup)/restore"))
            #expect(refused.status == 409 && refused.error?.contains("is damaged") == true, "\(refused.text)")
            #expect(try VolumeSnapshot(volume) == before)
            #expect(try await panel.instance(id)["PowerState"] as? String == "running")
        }
    }
}
