import BerthProtocol
import BerthTestSupport
import Foundation
import NIOCore
import Testing

@testable import BerthDaemon

/// The daemon's small pure parts that the console and the container session rely on.
@Suite("Runtime helpers")
struct RuntimeUnitTests {
    @Test("the ready pattern is found even when split across chunks")
    func readyDetector() {
        var detector = ReadyDetector(patterns: ["Done ("])
        #expect(!detector.isReadyAtStart)
        let seen = ["[12:00] Loading... Do", "ne", " (3.2s)! For help"].map { detector.feed($0) }
        #expect(seen == [false, false, true])
        #expect(ReadyDetector(patterns: []).isReadyAtStart)
        #expect(ReadyDetector(patterns: [""]).isReadyAtStart)
        // An egg's `done` list: any one of them, the longer one split too.
        var either = ReadyDetector(patterns: ["Server started", "ok"])
        #expect(either.feed("loading... Server sta") == false)
        #expect(either.feed("rted on port 7777") == true)
        var short = ReadyDetector(patterns: ["Server started", "ok"])
        #expect(short.feed("all o") == false && short.feed("k") == true)
    }

    @Test("startup variables become environment references, never shell code")
    func startupLine() {
        #expect(ContainerBlueprint.shellLine("java -Xmx{{MEMORY}}M -jar {{ JAR }}") == "java -Xmx${MEMORY}M -jar ${JAR}")
        #expect(ContainerBlueprint.shellLine("echo {{$(reboot)}}") == "echo {{$(reboot)}}")
        #expect(ContainerBlueprint.shellLine("echo {{unclosed") == "echo {{unclosed")
    }

    @Test("a character split across two chunks comes out whole")
    func splitCharacters() {
        var reassembler = UTF8Reassembler()
        let text = "§aGreen ✓ 🎮\n"
        let bytes = Array(text.utf8)
        var output = ""
        // Every split point, including inside each multi-byte character.
        for split in 1..<bytes.count {
            var fresh = UTF8Reassembler()
            let joined = fresh.text(from: ByteBuffer(bytes: bytes[..<split])) + fresh.text(from: ByteBuffer(bytes: bytes[split...]))
            #expect(joined == text, "split at \(split)")
        }
        for byte in bytes { output += reassembler.text(from: ByteBuffer(bytes: [byte])) }
        #expect(output == text)
    }

    @Test("handing a volume to the instance's user changes links themselves, never what they point at")
    func ownershipNeverFollowsLinks() throws {
        let base = NSTemporaryDirectory() + "berth-ownership-\(UUID().uuidString.prefix(8))"
        let volume = base + "/volume"
        let outside = base + "/outside-secret"
        try FileManager.default.createDirectory(atPath: volume + "/world", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        FileManager.default.createFile(atPath: outside, contents: Data("secret".utf8))
        FileManager.default.createFile(atPath: volume + "/world/level.dat", contents: Data("x".utf8))
        // What a hostile install script plants: links out of the volume, to a file and to a directory.
        try FileManager.default.createSymbolicLink(atPath: volume + "/shadow", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: volume + "/up", withDestinationPath: base)
        let before = try FileManager.default.attributesOfItem(atPath: outside)[.ownerAccountID] as? NSNumber

        try VolumeOwnership.give(volume, to: 4321, group: 4321)

        func owner(_ path: String) throws -> UInt32 {
            var info = stat()
            guard lstat(path, &info) == 0 else { throw TestFailure("cannot lstat \(path)") }
            return info.st_uid
        }
        #expect(try owner(volume + "/world/level.dat") == 4321)
        #expect(try owner(volume + "/shadow") == 4321, "the link itself changes hands")
        #expect(try owner(volume + "/up") == 4321)
        let after = try FileManager.default.attributesOfItem(atPath: outside)[.ownerAccountID] as? NSNumber
        #expect(after == before, "the file the link points at keeps its owner")
        #expect(try owner(base) == owner(outside), "the directory above the volume keeps its owner")
    }

    @Test("the port probe sees a taken port on IPv4 and on IPv6 publish addresses")
    func portProbe() throws {
        for (family, address) in [(AF_INET, "127.0.0.1"), (AF_INET6, "::1")] {
            let port = try TestPorts.free()
            #expect(PortProbe.isFree(port: port, address: address), "\(address) \(port) is free")
            // Hold the port with a listening TCP socket, as a running server would.
            let holder = socket(family, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(holder) }
            var bound: Int32 = -1
            if family == AF_INET {
                var v4 = sockaddr_in()
                v4.sin_family = sa_family_t(AF_INET)
                v4.sin_port = in_port_t(UInt16(port).bigEndian)
                inet_pton(AF_INET, address, &v4.sin_addr)
                bound = withUnsafePointer(to: &v4) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
            } else {
                var v6 = sockaddr_in6()
                v6.sin6_family = sa_family_t(AF_INET6)
                v6.sin6_port = in_port_t(UInt16(port).bigEndian)
                inet_pton(AF_INET6, address, &v6.sin6_addr)
                bound = withUnsafePointer(to: &v6) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
                }
            }
            try #require(bound == 0 && listen(holder, 1) == 0, "the test holds \(address) \(port)")
            #expect(!PortProbe.isFree(port: port, address: address), "\(address) \(port) is taken")
        }
    }
}
