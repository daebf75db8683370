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
    var ready: ReadyText?
    var stopSignal: String?
    var stopTimeout: Int?
    var capabilities: [String]?
    /// What people call each Docker image ("Java 21"), by image; eggs name them.
    var imageLabels: [String: String]?
    /// Files owners may not touch through the file manager (an egg's `file_denylist`).
    var fileDenylist: [String]?
    /// Configuration files the daemon edits before each start (an egg's `config.files`), by path in the volume.
    var configFiles: [String: ConfigFile]?

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
        case imageLabels = "ImageLabels"
        case fileDenylist = "FileDenylist"
        case configFiles = "ConfigFiles"
    }

    /// `Ready`: one text, or several of which any means started (an egg's `done` list).
    enum ReadyText: Codable, Sendable, Equatable {
        case one(String)
        case any([String])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let texts = try? container.decode([String].self) {
                self = .any(texts)
            } else {
                self = .one(try container.decode(String.self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .one(let text): try container.encode(text)
            case .any(let texts): try container.encode(texts)
            }
        }

        var patterns: [String] {
            switch self {
            case .one(let text): [text]
            case .any(let texts): texts
            }
        }
    }

    /// A file the daemon edits before each start: `Find` keys (as the parser reads them) set to values,
    /// with placeholders such as `{{server.build.default.port}}` filled in.
    struct ConfigFile: Codable, Sendable, Equatable {
        var parser: String
        var find: [String: String]

        enum CodingKeys: String, CodingKey {
            case parser = "Parser"
            case find = "Find"
        }

        static var parsers: Set<String> { ConfigFileEdit.parsers }
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
        /// The program that runs the script with `-c` (`bash`, `ash`); `/bin/sh` when nil.
        var entrypoint: String?

        enum CodingKeys: String, CodingKey {
            case image = "Image"
            case script = "Script"
            case entrypoint = "Entrypoint"
        }
    }

    /// One variable an image declares. Skyport's files have `type`, `default`, `required` and
    /// `description`; eggs add Laravel `rules`, a display `name`, and whether users see and edit it.
    package struct VariableDefinition: Codable, Sendable, Equatable {
        var type: String?
        package var `default`: String?
        var required: Bool?
        package var description: String?
        /// Laravel rules (`required|integer|between:1,100`); without them, `type` and `required` make the rules.
        var rules: String?
        /// What people read instead of the environment name.
        package var name: String?
        var userViewable: Bool?
        var userEditable: Bool?

        package var isUserViewable: Bool { userViewable ?? true }
        package var isUserEditable: Bool { userEditable ?? true }

        /// The rules values are checked against.
        package func checkedRules() throws -> VariableRules {
            if let rules { return try VariableRules(laravel: rules) }
            var checked = VariableRules()
            checked.required = required ?? false
            switch type?.lowercased() {
            case "number", "integer", "int": checked.kind = .integer
            case "numeric", "decimal": checked.kind = .numeric
            case "boolean", "bool": checked.kind = .boolean
            default: break
            }
            return checked
        }
    }

    /// Checks what a deploy sets against the declared variables (each value, or the default where none is
    /// set); a variable the image does not declare is refused unless `allowingUndeclared`, as the seed's
    /// `/api` accepts them. Throws a ``PanelError`` that names every wrong variable, each as the field
    /// `variables.<NAME>`.
    package func check(_ values: [String: String], allowingUndeclared: Bool) throws {
        let declared = variables ?? [:]
        var checks = FieldChecks()
        if !allowingUndeclared {
            for unknown in values.keys.sorted() where declared[unknown] == nil {
                checks.note("variables: \(unknown) is not a variable of the image \(name)", about: "variables.\(unknown)")
            }
        }
        for (variable, definition) in declared.sorted(by: { $0.key < $1.key }) {
            let rules = try definition.checkedRules()
            if let problem = rules.problem(with: values[variable] ?? definition.default ?? "", name: variable) {
                checks.note("variables: \(problem)", about: "variables.\(variable)")
            }
        }
        try checks.finish()
    }

    /// Checks that `names` may be changed on an instance that has `current`: a user changes only the
    /// variables the image lets users see and edit; an operator any the image declares, and those the
    /// instance already has from the seed's API. Throws a ``PanelError`` that names the variable.
    func checkChangeable(_ names: some Collection<String>, of current: [String: String], byOperator: Bool) throws {
        let declared = variables ?? [:]
        for name in names.sorted() {
            guard let definition = declared[name] else {
                if byOperator, current[name] != nil { continue }
                throw PanelError.invalid("variables: \(name) is not a variable of the image \(self.name)")
            }
            if !byOperator, !(definition.isUserViewable && definition.isUserEditable) {
                throw PanelError.forbidden("variables: \(name) is set by the panel's administrators, not by users")
            }
        }
    }

    /// The image asks its instances' owners to accept the game's EULA before the first start (an egg's
    /// `eula` feature: Minecraft servers do not start without `eula=true` in `eula.txt`).
    package var asksForEULA: Bool { features?.contains("eula") == true }

    /// The image's Docker images are builds of one server for several Java versions (an egg's
    /// `java_version` feature): the settings offer them as such.
    package var offersJavaVersions: Bool { features?.contains("java_version") == true }

    /// How the settings name one of the image's Docker images: its egg label with the reference.
    package func label(ofDockerImage reference: String) -> String {
        guard let label = imageLabels?[reference], label != reference else { return reference }
        return "\(label) (\(reference))"
    }

    /// The Docker images an instance of this image may run: the main one and its alternatives.
    package var dockerImages: [String] { [image] + (altImages ?? []) }

    /// The startup line with each `{{NAME}}` and `${NAME}` of the environment filled in from `values`
    /// (the instance's) or the image's defaults: what the instance really runs. An instance's own
    /// `startup` line stands in for the image's.
    package func startupLine(with values: [String: String], startup override: String? = nil) -> String? {
        guard let startup = override ?? startup ?? command else { return nil }
        let environment = self.environment.merging(values) { _, set in set }
        var line = VariablePlaceholders.rewrite(startup) { environment[$0] ?? "{{\($0)}}" }
        for (variable, value) in environment.sorted(by: { $0.key.count > $1.key.count }) {
            line = line.replacingOccurrences(of: "${\(variable)}", with: value)
        }
        return line
    }

    /// What is wrong with the definition, or nil.
    var problem: String? {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { return "Name is required" }
        if !ImageReference.isValid(image) { return "Image must be a Docker image reference" }
        if let bad = (altImages ?? []).first(where: { !ImageReference.isValid($0) }) {
            return "AltImages: \(bad) is not a Docker image reference"
        }
        if let bad = install?.image, !ImageReference.isValid(bad) { return "Install.Image must be a Docker image reference" }
        if let entrypoint = install?.entrypoint,
            entrypoint.isEmpty || !entrypoint.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_./-".contains($0)) })
        {
            return "Install.Entrypoint must be a program, such as bash or /bin/ash"
        }
        for (path, file) in (configFiles ?? [:]).sorted(by: { $0.key < $1.key }) {
            if path.isEmpty || path.hasPrefix("/") || path.split(separator: "/").contains("..") {
                return "ConfigFiles: \(path) must be a path inside the volume"
            }
            if !ConfigFile.parsers.contains(file.parser) {
                return "ConfigFiles: \(path) has the parser \(file.parser); parsers are \(ConfigFile.parsers.sorted().joined(separator: ", "))"
            }
        }
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
        for (variable, definition) in (variables ?? [:]).sorted(by: { $0.key < $1.key }) {
            do {
                _ = try definition.checkedRules()
            } catch let error as PanelError {
                return "Variables.\(variable): \(error.message)"
            } catch {
                return "Variables.\(variable): \(error)"
            }
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
            readyPattern: ready?.patterns.first,
            readyPatterns: ready.flatMap { $0.patterns.count > 1 ? $0.patterns : nil },
            stop: stopCommand.map { .command($0) } ?? .signal(stopSignal ?? "SIGTERM"),
            stopTimeoutSeconds: stopTimeout ?? 30,
            capabilities: capabilities ?? [],
            configFiles: configFiles.map { files in
                files.sorted { $0.key < $1.key }.map { ConfigFileEdit(path: $0.key, parser: $0.value.parser, find: $0.value.find) }
            }
        )
    }

    /// Berth's install script, or one made from Skyport's downloads; `{{Name}}` in a URL becomes the variable.
    private var installScript: InstallScript? {
        if let install { return InstallScript(dockerImage: install.image, script: install.script, entrypoint: install.entrypoint) }
        guard let downloads = scripts?.install, !downloads.isEmpty else { return nil }
        let lines = downloads.map { download in
            let url = Self.shellQuotedWithVariables(download.uri)
            let path = Self.shellQuotedWithVariables("/mnt/server/" + download.path)
            return "mkdir -p \"$(dirname \(path))\" && wget -q -O \(path) \(url)"
        }
        return InstallScript(script: "set -e\n" + lines.joined(separator: "\n"), downloads: downloads.map(\.uri))
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
