import BerthProtocol
import Foundation
import Testing

@testable import BerthPanel

@Suite("Loose input, as real Skyport clients send it")
struct LooseInputTests {
    @Test(
        "sizes in every form real clients use become MiB",
        arguments: [
            (JSONValue.number(512), 512), (.string("512"), 512), (.string("512MB"), 512), (.string("512M"), 512),
            (.string("2G"), 2048), (.string("2GB"), 2048), (.string("1.5G"), 1536), (.string(" 1024 MiB "), 1024), (.string("1T"), 1_048_576),
        ]
    )
    func sizes(value: JSONValue, mebibytes: Int) throws {
        #expect(try LooseQuantities.mebibytes(value, field: "memory") == mebibytes)
    }

    @Test(
        "anything else is refused naming the field",
        arguments: [
            JSONValue.string("lots"), .string(""), .string("-1G"), .number(0), .bool(true), .array([]), .null, .string("NaN"),
            // Swift's Double() reads hex and exponents; no billing form means them.
            .string("0x10"), .string("1e3"), .string("1E3G"), .string("."), .string("1.2.3"), .string("inf"),
        ]
    )
    func badSizes(value: JSONValue) {
        #expect(throws: (any Error).self) { try LooseQuantities.mebibytes(value, field: "memory") }
    }

    @Test("CPU as cores, fractions or percent")
    func cores() throws {
        #expect(try LooseQuantities.cores(.string("1"), field: "cpu") == 1)
        #expect(try LooseQuantities.cores(.number(1.5), field: "cpu") == 1.5)
        #expect(try LooseQuantities.cores(.string("150%"), field: "cpu") == 1.5)
        #expect(try LooseQuantities.cores(.string("50 %"), field: "cpu") == 0.5)
        #expect(try LooseQuantities.cores(.string("+2"), field: "cpu") == 2)
        for bad in [
            JSONValue.string("0"), .string("fast"), .string("%"), .number(-1), .number(4096), .string("1e2"), .string("0x1"), .string("1e-2"),
        ] {
            #expect(throws: (any Error).self) { try LooseQuantities.cores(bad, field: "cpu") }
        }
    }

    @Test("ports as container:host pairs")
    func ports() throws {
        #expect(
            try LooseQuantities.ports(.string("25565:25565,8080:80"), field: "ports") == [
                PortMapping(hostPort: 25565, containerPort: 25565), PortMapping(hostPort: 80, containerPort: 8080),
            ]
        )
        #expect(try LooseQuantities.ports(.number(25565), field: "ports") == [PortMapping(hostPort: 25565, containerPort: 25565)])
        let many = (30000..<30033).map { "\($0):\($0)" }.joined(separator: ",")
        #expect(throws: PanelError.invalid("ports: at most 32 ports per instance")) {
            try LooseQuantities.ports(.string(many), field: "ports")
        }
        #expect(try LooseQuantities.ports(.string(String(many.split(separator: ",").dropLast().joined(separator: ","))), field: "ports").count == 32)
        for bad in ["", "a:b", "1:2:3", "0:80", "80:70000", "80:80,81:80"] {
            #expect(throws: (any Error).self) { try LooseQuantities.ports(.string(bad), field: "ports") }
        }
    }

    @Test("variables as an object or a JSON string of one")
    func variables() throws {
        #expect(
            try LooseQuantities.variables(.object(["VERSION": .string("1.21"), "BUILD": .number(132)]), field: "variables") == [
                "VERSION": "1.21", "BUILD": "132",
            ]
        )
        #expect(try LooseQuantities.variables(.string(#"{"EULA": true}"#), field: "variables") == ["EULA": "true"])
        #expect(try LooseQuantities.variables(nil, field: "variables") == [:])
        #expect(try LooseQuantities.variables(.array([]), field: "variables") == [:])
        #expect(throws: (any Error).self) { try LooseQuantities.variables(.string("{"), field: "variables") }
        #expect(throws: (any Error).self) { try LooseQuantities.variables(.object(["bad name": .string("x")]), field: "variables") }
        #expect(throws: (any Error).self) { try LooseQuantities.variables(.object(["NESTED": .object([:])]), field: "variables") }
    }

    @Test("nesting depth is checked before decoding, strings included")
    func depth() {
        #expect(JSONDepth.isWithin(3, Data(#"{"a": [1, {"b": "[[[[["}]}"#.utf8)))
        #expect(!JSONDepth.isWithin(3, Data("[[[[1]]]]".utf8)))
    }
}
