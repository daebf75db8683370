import BerthTestSupport
import Foundation
import Testing

@testable import BerthPanel

@Suite("Variable rules, as eggs write them")
struct VariableRulesTests {
    @Test("every rule of the eight real eggs is read, and none is left unchecked")
    func realEggs() throws {
        let eggs = try EggFixtures.all()
        #expect(eggs.count == 8)
        var seen = 0
        for (file, egg) in eggs {
            for variable in egg["variables"] as? [[String: Any]] ?? [] {
                let text = try #require(variable["rules"] as? String, "\(file)")
                let rules = try VariableRules(laravel: text)
                #expect(rules.unchecked.isEmpty, "\(file): \(text) leaves \(rules.unchecked) unchecked")
                // Each egg's own default fits its rules (the eggs' authors meant them to).
                if let value = variable["default_value"] as? String, !value.isEmpty {
                    #expect(rules.problem(with: value, name: "x") == nil, "\(file): \(value) against \(text)")
                }
                seen += 1
            }
        }
        #expect(seen > 40, "the eggs' variables were all read")
    }

    @Test("values are checked as Laravel would, with messages that name the variable")
    func checks() throws {
        let port = try VariableRules(laravel: "required|integer|between:1025,65535")
        #expect(port.problem(with: "", name: "PORT") == "PORT is required")
        #expect(port.problem(with: "80", name: "PORT") == "PORT must be at least 1025")
        #expect(port.problem(with: "70000", name: "PORT") == "PORT must be at most 65535")
        #expect(port.problem(with: "25565.5", name: "PORT") == "PORT must be a whole number")
        #expect(port.problem(with: "25565", name: "PORT") == nil)

        let motd = try VariableRules(laravel: "nullable|string|max:20")
        #expect(motd.problem(with: "", name: "MOTD") == nil)
        #expect(motd.problem(with: String(repeating: "a", count: 21), name: "MOTD") == "MOTD must be at most 20 characters")
        #expect(motd.problem(with: String(repeating: "a", count: 5000), name: "MOTD") == "MOTD must be at most 4096 characters")

        let choice = try VariableRules(laravel: "required|string|in:true,false")
        #expect(choice.problem(with: "yes", name: "ONLINE") == "ONLINE must be one of true, false")
        #expect(try VariableRules(laravel: "required|numeric|min:1").problem(with: "0.5", name: "N") == "N must be at least 1")
        #expect(try VariableRules(laravel: "required|numeric").problem(with: "1e3", name: "N") == "N must be a number")
        #expect(try VariableRules(laravel: "boolean").problem(with: "yes", name: "B") == "B must be true, false, 1 or 0")
        #expect(try VariableRules(laravel: "boolean").problem(with: "0", name: "B") == nil)

        let jar = try VariableRules(laravel: #"required|string|max:32|regex:/^([\w\d._-]+)(\.jar)$/"#)
        #expect(jar.maximum == 32)
        #expect(jar.problem(with: "server.jar", name: "JAR") == nil)
        #expect(jar.problem(with: "../../etc/passwd", name: "JAR") == #"JAR must match ^([\w\d._-]+)(\.jar)$"#)
        // A pattern may hold `|`; the rule after it is still read.
        let either = try VariableRules(laravel: "regex:/^(a|b)$/i|max:1")
        #expect(either.pattern == "^(a|b)$" && either.maximum == 1)
        #expect(either.problem(with: "B", name: "E") == nil, "the i flag")
        #expect(either.problem(with: "c", name: "E") == "E must match ^(a|b)$")

        #expect(try VariableRules(laravel: "required|alpha_dash").unchecked == ["alpha_dash"])
        #expect(throws: PanelError.invalid("the rule max:lots needs a number")) { try VariableRules(laravel: "max:lots") }
        #expect(throws: PanelError.invalid("the rule regex:/[/ holds a pattern that does not compile")) { try VariableRules(laravel: "regex:/[/") }
        #expect(throws: PanelError.invalid("the rule between:1 needs two bounds")) { try VariableRules(laravel: "between:1") }
    }
}

/// The real Pterodactyl eggs in the shared fixtures, read where they are (never copied into this repository).
enum EggFixtures {
    static var directory: String {
        get throws {
            let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let candidates = [
                ProcessInfo.processInfo.environment["BERTH_EGG_FIXTURES"], repository.appendingPathComponent("../shared/fixtures/eggs").path,
                "/work/shared/fixtures/eggs",
            ].compactMap { $0 }
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/egg-paper.json") }) else {
                throw TestFailure("the egg fixtures are not at any of \(candidates); set BERTH_EGG_FIXTURES")
            }
            return found
        }
    }

    /// File name → the egg's JSON object.
    static func all() throws -> [(String, [String: Any])] {
        let directory = try directory
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("egg-") && $0.hasSuffix(".json") }.sorted()
            .map { file in
                let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))
                return (file, try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
            }
    }
}
