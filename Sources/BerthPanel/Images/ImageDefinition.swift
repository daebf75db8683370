import BerthProtocol
import Foundation

/// A Skyport image JSON file (`Name`, `Image`, `AltImages`, `Env`, `Variables`, `StopCommand`,
/// `Scripts.Install`, `features`), with Berth's additions for what eggs have: `Startup`, `Install`
/// (a script run in an installer container), `Ready` (the text that means started), `StopSignal`,
/// `StopTimeout` and `Capabilities`.
package struct ImageDefinition: Codable, Sendable, Equatable {
    var Name: String
    package var Description: String?
    var Author: String?
    var Image: String
    var AltImages: [String]?
    var Cmd: String?
    var Env: [String]?
    var StopCommand: String?
    var Scripts: SkyportScripts?
    package var Variables: [String: VariableDefinition]?
    var features: [String]?
    var Startup: String?
    var Install: InstallDefinition?
    var Ready: String?
    var StopSignal: String?
    var StopTimeout: Int?
    var Capabilities: [String]?

    struct SkyportScripts: Codable, Sendable, Equatable {
        var Install: [Download]?
    }

    /// A file Skyport's installer downloads into the volume.
    struct Download: Codable, Sendable, Equatable {
        var Uri: String
        var Path: String
    }

    struct InstallDefinition: Codable, Sendable, Equatable {
        var Image: String?
        var Script: String
    }

    package struct VariableDefinition: Codable, Sendable, Equatable {
        var type: String?
        package var `default`: String?
        var required: Bool?
        package var description: String?
    }

    /// What is wrong with the definition, or nil.
    var problem: String? {
        if Name.trimmingCharacters(in: .whitespaces).isEmpty { return "Name is required" }
        if Image.isEmpty || Image.contains(where: \.isWhitespace) { return "Image must be a Docker image reference" }
        for download in Scripts?.Install ?? [] {
            guard let url = URL(string: download.Uri), ["http", "https"].contains(url.scheme ?? "") else {
                return "Scripts.Install: \(download.Uri) is not an http(s) URL"
            }
            if download.Path.split(separator: "/").contains("..") || download.Path.hasPrefix("/") {
                return "Scripts.Install: \(download.Path) must stay inside the volume"
            }
        }
        for entry in Env ?? [] where !entry.contains("=") {
            return "Env: \(entry) is not KEY=value"
        }
        return runtime(dockerImage: Image).problem
    }

    /// The environment the image fixes, with each variable's default under it.
    var environment: [String: String] {
        var environment: [String: String] = [:]
        for (name, variable) in Variables ?? [:] {
            environment[name] = variable.default ?? ""
        }
        for entry in Env ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1)
            if let name = parts.first { environment[String(name)] = parts.count > 1 ? String(parts[1]) : "" }
        }
        return environment
    }

    /// How a daemon runs this image with `dockerImage` (the main image or one of `AltImages`).
    func runtime(dockerImage: String) -> RuntimeImage {
        RuntimeImage(
            dockerImage: dockerImage,
            startup: Startup ?? Cmd,
            environment: environment,
            install: installScript,
            readyPattern: Ready,
            stop: StopCommand.map { .command($0) } ?? .signal(StopSignal ?? "SIGTERM"),
            stopTimeoutSeconds: StopTimeout ?? 30,
            capabilities: Capabilities ?? []
        )
    }

    /// Berth's install script, or one made from Skyport's downloads; `{{Name}}` in a URL becomes the variable.
    private var installScript: InstallScript? {
        if let Install { return InstallScript(dockerImage: Install.Image, script: Install.Script) }
        guard let downloads = Scripts?.Install, !downloads.isEmpty else { return nil }
        let lines = downloads.map { download in
            let url = Self.shellQuotedWithVariables(download.Uri)
            let path = Self.shellQuotedWithVariables("/mnt/server/" + download.Path)
            return "mkdir -p \"$(dirname \(path))\" && wget -q -O \(path) \(url)"
        }
        return InstallScript(script: "set -e\n" + lines.joined(separator: "\n"))
    }

    /// Double-quotes text for the shell, turning `{{Name}}` into `${Name}` and escaping everything else.
    static func shellQuotedWithVariables(_ text: String) -> String {
        "\"" + VariablePlaceholders.rewrite(text, variable: { "${\($0)}" }, literal: escape) + "\""
    }

    private static func escape(_ text: Substring) -> String {
        text.reduce(into: "") { result, character in
            if "\"\\$`".contains(character) { result.append("\\") }
            result.append(character)
        }
    }
}
