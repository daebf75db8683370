import BerthHTTP
import Foundation
import NIOCore
import Testing

@testable import BerthPanel

/// ``JSONWriter`` must write what `JSONEncoder` with `.sortedKeys` writes, byte for byte: the API's
/// answers are the seed's, and clients may compare them. Held side by side on values an instance's owner
/// can fill with anything (names, variables, reasons), and on the numbers the panel stores.
@Suite("JSON written by hand, as the encoder writes it")
struct JSONWriterTests {
    /// Strings a tenant can choose, each a way the two writers could differ.
    static let awkwardStrings: [String] = [
        "", "plain", "quote \" backslash \\ slash / end", "tab\tnewline\nreturn\rbackspace\u{8}formfeed\u{C}",
        String((0..<32).map { Character(UnicodeScalar($0)) }), "delete \u{7F}", "é and e\u{301}", "日本語", "😀 🇸🇪",
        "line separators \u{2028}\u{2029}", "</script><!--", "\u{FEFF}bom", "nul\u{0}inside", "a\"\\/\u{1F}",
    ]
    static let numbers: [Double] = [0, 0.5, 1, 2, 0.1, 0.25, 1.5, 0.30000000000000004, 1e-7, 123_456_789, 1e21, 3.141592653589793, 64]
    static let variableNames = ["MOTD", "motd", "a", "B", "_x", "Z9", "é", "ß", "SERVER_JARFILE", "0", "~", "a b", "Ä", "z"]

    @Test("instances: every awkward string, number and missing field, alone and in arrays")
    func instances() throws {
        var generator = SeededGenerator(seed: 20_261_202)
        var views: [InstanceView] = []
        for index in 0..<400 {
            func pick(_ strings: [String]) -> String { strings[Int.random(in: 0..<strings.count, using: &generator)] }
            func maybe(_ value: String) -> String? { Bool.random(using: &generator) ? value : nil }
            var variables: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &generator) { variables[pick(Self.variableNames)] = pick(Self.awkwardStrings) }
            let variablesJSON = String(decoding: try JSONEncoder().encode(variables), as: UTF8.self)
            let row = InstanceRow(
                id: UUID(),
                name: pick(Self.awkwardStrings),
                ownerUserID: pick(Self.awkwardStrings),
                dockerImage: pick(["berth/busybox:latest", "ghcr.io/pterodactyl/yolks:java_17"] + Self.awkwardStrings),
                memory: [0, 1, 512, 65_536, Int(Int32.max)][index % 5],
                cpu: Self.numbers[index % Self.numbers.count],
                disk: index % 3 == 0 ? nil : index * 1024,
                ports: index % 4 == 0 ? "[]" : #"[{"containerPort":25565,"hostPort":\#(20_000 + index)}]"#,
                primaryPort: 20_000 + index,
                variables: variablesJSON,
                installState: pick(["INSTALLING", "READY", "FAILED"]),
                powerState: pick(["running", "offline", "starting"]),
                reason: maybe(pick(Self.awkwardStrings)),
                containerID: maybe(String(repeating: "ab12", count: 16)),
                suspended: Bool.random(using: &generator),
                deleting: index % 7 == 0,
                createdAt: Bool.random(using: &generator) ? Date(timeIntervalSince1970: Double(index) * 86_400.5) : nil,
                nodeID: UUID(),
                nodeName: pick(Self.awkwardStrings),
                nodeAddress: pick(["127.0.0.1", "node-1.example.com", "[::1]"]),
                nodePort: 8080 + index,
                nodeReportedOffline: index % 5 == 0
            )
            views.append(InstanceView(row))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for view in views {
            let expected = try encoder.encode(view)
            let actual = written(view)
            #expect(actual == expected, "\(String(decoding: actual, as: UTF8.self)) against \(String(decoding: expected, as: UTF8.self))")
        }
        #expect(written(views) == (try encoder.encode(views)))
        #expect(written([InstanceView]()) == (try encoder.encode([InstanceView]())))
    }

    @Test("users: names and addresses as awkward as a form lets through")
    func users() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let users = Self.awkwardStrings.enumerated().map { index, text in
            UserView(User(userID: text, username: text, email: "\(text)@example.com", passwordHash: "x", admin: index % 2 == 0))
        }
        for user in users {
            let expected = try encoder.encode(user)
            #expect(written(user) == expected, "\(String(decoding: expected, as: UTF8.self))")
        }
        #expect(written(users) == (try encoder.encode(users)))
    }

    private func written(_ value: some JSONWritable) -> Data {
        var writer = JSONWriter()
        value.write(to: &writer)
        return Data(buffer: writer.buffer)
    }
}

/// SplitMix64: the same values every run, so a difference found once is found again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
