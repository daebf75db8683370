import Foundation
import NIOCore
import SFTP
import Testing

@Suite("What the file system refuses reaches the client")
struct SFTPErrorReportingTests {
    @Test("An SFTPError reaches the client as its status and message")
    func refusal() async throws {
        let quota = SFTPError(.permissionDenied, "the instance's disk limit of 1 GiB is reached")
        try await SFTPTestClient.withSession(writeRefusal: quota) { client, _ async throws in
            let handle = try await client.open("/f", [.write, .create])
            let status = try await client.status(MessageType.write, .bytes(handle), .uint64(0), .string("data"))
            #expect(status.status == .permissionDenied)
            #expect(status.message == "the instance's disk limit of 1 GiB is reached")
            // The session goes on.
            #expect(try await client.status(MessageType.close, .bytes(handle)).status == .ok)
        }
    }

    @Test("Any other error reaches the client as FAILURE with its description")
    func otherError() async throws {
        struct DiskOnFire: Error, CustomStringConvertible {
            var description: String { "the disk is on fire" }
        }
        try await SFTPTestClient.withSession(writeRefusal: DiskOnFire()) { client, _ async throws in
            let handle = try await client.open("/f", [.write, .create])
            let status = try await client.status(MessageType.write, .bytes(handle), .uint64(0), .string("data"))
            #expect(status.status == .failure)
            #expect(status.message == "the disk is on fire")
        }
    }

    @Test("An exclusive OPEN of an existing file fails with the file system's reason")
    func exclusiveOpen() async throws {
        try await SFTPTestClient.withSession { client, fileSystem async throws in
            _ = FileManager.default.createFile(atPath: fileSystem.base.hostPath("/taken"), contents: nil)
            let status = try await client.status(
                MessageType.open,
                .string("/taken"),
                .uint32(SFTPOpenFlags([.write, .create, .exclusive]).rawValue),
                .attributes(SFTPAttributes())
            )
            #expect(status.status == .failure)
            #expect(status.message == String(cString: strerror(EEXIST)))
        }
    }
}
