import Foundation
import Testing

@testable import BerthDaemon

@Suite("Configuration file parsers")
struct ConfigFileParserTests {
    @Test("properties: keys replaced where they are, comments kept, missing keys added")
    func properties() throws {
        let text = "#Minecraft server properties\nserver-port = 25565\nmotd=hello\n# server-ip=1.2.3.4\n"
        let edited = try ConfigFileParser.edit(text, parser: "properties", values: [("server-port", "30001"), ("server-ip", "0.0.0.0")])
        #expect(edited == "#Minecraft server properties\nserver-port=30001\nmotd=hello\n# server-ip=1.2.3.4\nserver-ip=0.0.0.0\n")
        #expect(try ConfigFileParser.edit("", parser: "properties", values: [("a", "1")]) == "a=1\n")
    }

    @Test("ini: section.key and [section.with.dots].key, in place or added to their section")
    func ini() throws {
        let text = "[network]\nserver_port = 3979\nlan_internet = 1\n\n[/Script/Engine.GameSession]\nMaxPlayers=4\n"
        let edited = try ConfigFileParser.edit(
            text,
            parser: "ini",
            values: [
                ("network.server_port", "30002"), ("network.server_name", "Mine"), ("[/Script/Engine.GameSession].MaxPlayers", "8"),
                ("[/Script/FactoryGame.FGSaveSession].mNumRotatingAutosaves", "3"),
            ]
        )
        #expect(
            edited
                == "[network]\nserver_port=30002\nlan_internet = 1\nserver_name=Mine\n\n[/Script/Engine.GameSession]\nMaxPlayers=8\n\n[/Script/FactoryGame.FGSaveSession]\nmNumRotatingAutosaves=3\n"
        )
    }

    @Test("file: lines that start with the key become the value; nothing is added")
    func file() throws {
        let text = "[servers]\nbind = \"0.0.0.0:25577\"\n  hostname \"old\"\n"
        let edited = try ConfigFileParser.edit(
            text,
            parser: "file",
            values: [("bind = ", "bind = \"0.0.0.0:30003\""), ("hostname", "hostname \"new\""), ("absent", "x")]
        )
        #expect(edited == "[servers]\nbind = \"0.0.0.0:30003\"\nhostname \"new\"\n")
    }

    @Test("json: dotted paths, made where missing, numbers and booleans typed")
    func json() throws {
        let edited = try ConfigFileParser.edit(
            #"{"server": {"port": 1, "name": "a"}}"#,
            parser: "json",
            values: [("server.port", "30004"), ("debug.on", "true")]
        )
        let object = try #require(try JSONSerialization.jsonObject(with: Data(edited.utf8)) as? [String: Any])
        #expect((object["server"] as? [String: Any])?["port"] as? Int == 30004)
        #expect((object["server"] as? [String: Any])?["name"] as? String == "a")
        #expect((object["debug"] as? [String: Any])?["on"] as? Bool == true)
        #expect(throws: (any Error).self) { try ConfigFileParser.edit("[1, 2]", parser: "json", values: [("a", "b")]) }
        #expect(throws: (any Error).self) { try ConfigFileParser.edit("", parser: "toml", values: [("a", "b")]) }
    }

    @Test("yaml: dotted paths into mappings, typed like json; a file that is not a mapping is refused")
    func yaml() throws {
        let edited = try ConfigFileParser.edit(
            "server:\n  port: 1\n  name: lobby\nplayers: 10\n",
            parser: "yaml",
            values: [("server.port", "30005"), ("query.enabled", "true")]
        )
        #expect(edited.contains("port: 30005") && edited.contains("name: lobby") && edited.contains("players: 10"), "\(edited)")
        #expect(edited.contains("query:\n  enabled: true"), "\(edited)")
        #expect(throws: (any Error).self) { try ConfigFileParser.edit("- a\n- b\n", parser: "yaml", values: [("a", "b")]) }
    }

    @Test("xml: element paths below the root, text set, elements made where missing")
    func xml() throws {
        let edited = try ConfigFileParser.edit(
            "<config><network><port>1</port></network><name>x</name></config>",
            parser: "xml",
            values: [("config.network.port", "30006"), ("network.host", "0.0.0.0")]
        )
        let compact = edited.replacingOccurrences(of: "\n", with: "").replacingOccurrences(of: " ", with: "")
        #expect(compact.contains("<network><port>30006</port><host>0.0.0.0</host></network><name>x</name>"), "\(edited)")
        #expect(throws: (any Error).self) { try ConfigFileParser.edit("not xml <", parser: "xml", values: [("a", "b")]) }
    }
}
