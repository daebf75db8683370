import BerthProtocol
import Foundation

/// A Skyport image JSON file (`Name`, `Image`, `AltImages`, `Env`, `Variables`, `StopCommand`,
/// `Scripts.Install`, `features`), with Berth's additions for what eggs have: `Startup`, `Install`
/// (a script run in an installer container), `Ready` (the text that means started), `StopSignal`,
/// `StopTimeout` and `Capabilities`.
package struct ImageDefinition: Codable, Sendable, Equatable {
    var name: String
    package var description: String?
    var author: String?
    var image: String
    var altImages: [String]?
    var command: String?
    var environmentEntries: [String]?
    var stopCommand: String?
    var scripts: SkyportScripts?
    package var variables: [String: VariableDefinition]?
    var features: [String]?
    var startup: String?
    var install: InstallDefinition?
    var ready: String?
    var stopSignal: String?
    var stopTimeout: Int?
    var capabilities: [String]?

    /// The file's field names, Skyport's capitalised ones.
    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case description = "Description"
        case author = "Author"
        case image = "Image"
        case altImages = "AltImages"
        case command = "Cmd"
        case environmentEntries = "Env"
        case stopCommand = "StopCommand"
        case scripts = "Scripts"
        case variables = "Variables"
        case features
        case startup = "Startup"
        case install = "Install"
        case ready = "Ready"
        case stopSignal = "StopSignal"
        case stopTimeout = "StopTimeout"
        case capabilities = "Capabilities"
    }

    struct SkyportScripts: Codable, Sendable, Equatable {
        var install: [Download]?

        enum CodingKeys: String, CodingKey {
            case install = "Install"
        }
    }

    /// A file Skyport's installer downloads into the volume.
    struct Download: Codable, Sendable, Equatable {
        var uri: String
        var path: String

        enum CodingKeys: String, CodingKey {
            case uri = "Uri"
            case path = "Path"
        }
    }

    struct InstallDefinition: Codable, Sendable, Equatable {
        var image: String?
        var script: String

        enum CodingKeys: String, CodingKey {
            case image = "Image"
            case script = "Script"
        }
    }

    package struct VariableDefinition: Codable, Sendable, Equatable {
        var type: String?
        package var `default`: String?
        var required: Bool?
        package var description: String?
    }

    /// What is wrong with the definition, or nil.
    var problem: String? {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { return "Name is required" }
        if !ImageReference.isValid(image) { return "Image must be a Docker image reference" }
        if let bad = (altImages ?? []).first(where: { !ImageReference.isValid($0) }) {
            return "AltImages: \(bad) is not a Docker image reference"
        }
        if let bad = install?.image, !ImageReference.isValid(bad) { return "Install.Image must be a Docker image reference" }
        for download in scripts?.install ?? [] {
            guard let url = URL(string: download.uri), ["http", "https"].contains(url.scheme ?? "") else {
                return "Scripts.Install: \(download.uri) is not an http(s) URL"
            }
            if download.path.split(separator: "/").contains("..") || download.path.hasPrefix("/") {
                return "Scripts.Install: \(download.path) must stay inside the volume"
            }
        }
        for entry in environmentEntries ?? [] where !entry.contains("=") {
            return "Env: \(entry) is not KEY=value"
        }
        return runtime(dockerImage: image).problem
    }

    /// The environment the image fixes, with each variable's default under it.
    var environment: [String: String] {
        var environment: [String: String] = [:]
        for (name, variable) in variables ?? [:] {
            environment[name] = variable.default ?? ""
        }
        for entry in environmentEntries ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1)
            if let name = parts.first { environment[String(name)] = parts.count > 1 ? String(parts[1]) : "" }
        }
        return environment
    }

    /// How a daemon runs this image with `dockerImage` (the main image or one of `AltImages`).
    func runtime(dockerImage: String) -> RuntimeImage {
        RuntimeImage(
            dockerImage: dockerImage,
            startup: startup ?? command,
            environment: environment,
            install: installScript,
            readyPattern: ready,
            stop: stopCommand.map { .command($0) } ?? .signal(stopSignal ?? "SIGTERM"),
            stopTimeoutSeconds: stopTimeout ?? 30,
            capabilities: capabilities ?? []
        )
    }

    /// Berth's install script, or one made from Skyport's downloads; `{{Name}}` in a URL becomes the variable.
    private var installScript: InstallScript? {
        if let install { return InstallScript(dockerImage: install.image, script: install.script) }
        guard let downloads = scripts?.install, !downloads.isEmpty else { return nil }
        let lines = downloads.map { download in
            let url = Self.shellQuotedWithVariables(download.uri)
            let path = Self.shellQuotedWithVariables("/mnt/server/" + download.path)
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
