import NIOCore
import Testing

@testable import SFTP

@Suite("Cutting the byte stream into packets")
struct SFTPPacketAssemblerTests {
    /// Three packets of different lengths, back to back.
    private let stream: [UInt8] = [0, 0, 0, 1, 0xA1] + [0, 0, 0, 3, 0xB1, 0xB2, 0xB3] + [0, 0, 0, 2, 0xC1, 0xC2]
    private let packets: [[UInt8]] = [[0xA1], [0xB1, 0xB2, 0xB3], [0xC1, 0xC2]]

    private func packets(arrivingAs chunks: [ArraySlice<UInt8>]) throws -> [[UInt8]] {
        var assembler = SFTPPacketAssembler(maximumPacketLength: 100)
        var found: [[UInt8]] = []
        for chunk in chunks {
            assembler.append(ByteBuffer(bytes: chunk))
            while let packet = try assembler.nextPacket() {
                found.append(Array(packet.readableBytesView))
            }
        }
        #expect(!assembler.holdsPartialPacket)
        return found
    }

    @Test("The same packets come out wherever the stream is split in two")
    func everySplit() throws {
        for split in 0...stream.count {
            #expect(try packets(arrivingAs: [stream[..<split], stream[split...]]) == packets, "split at \(split)")
        }
    }

    @Test("The same packets come out a byte at a time and all at once")
    func bytewiseAndWhole() throws {
        #expect(try packets(arrivingAs: stream.indices.map { stream[$0...$0] }) == packets)
        #expect(try packets(arrivingAs: [stream[...]]) == packets)
    }

    @Test("A length over the limit is refused as soon as its four bytes are in")
    func oversizedLength() throws {
        var assembler = SFTPPacketAssembler(maximumPacketLength: 100)
        assembler.append(ByteBuffer(bytes: [0, 0, 0]))
        #expect(try assembler.nextPacket() == nil)
        assembler.append(ByteBuffer(bytes: [101]))
        #expect(throws: SFTPProtocolError.packetTooLarge(101)) { try assembler.nextPacket() }
    }

    @Test("A packet of length zero is malformed")
    func emptyPacket() {
        var assembler = SFTPPacketAssembler(maximumPacketLength: 100)
        assembler.append(ByteBuffer(bytes: [0, 0, 0, 0]))
        #expect(throws: SFTPProtocolError.self) { try assembler.nextPacket() }
    }

    @Test("An unfinished packet is held until the rest comes")
    func partialPacket() throws {
        var assembler = SFTPPacketAssembler(maximumPacketLength: 100)
        assembler.append(ByteBuffer(bytes: [0, 0, 0, 3, 1, 2]))
        #expect(try assembler.nextPacket() == nil)
        #expect(assembler.holdsPartialPacket)
        assembler.append(ByteBuffer(bytes: [3]))
        #expect(try assembler.nextPacket().map { Array($0.readableBytesView) } == [1, 2, 3])
    }
}
