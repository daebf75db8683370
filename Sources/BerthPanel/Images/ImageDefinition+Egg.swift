import Foundation

extension ImageDefinition {
    /// The image an egg describes: its Docker images (the first is the default, the others the owner may
    /// pick, each with its label), startup line, ready text(s), stop, install script in its own container,
    /// variables with their rules, features, file denylist and configuration files. Throws
    /// ``ImageImportError`` for what cannot be read.
    init(egg: Egg) throws {
        let images: [(image: String, label: String)] =
            if let dockerImages = egg.dockerImages {
                // JSON objects keep no order; the label order is stable and puts "Java 21" before "Java 8".
                dockerImages.sorted { $0.key.compare($1.key, options: .numeric) == .orderedDescending }.map { ($0.value, $0.key) }
            } else {
                (egg.images ?? egg.image.map { [$0] } ?? []).map { ($0, $0) }
            }
        guard let first = images.first else { throw ImageImportError("the egg \(egg.name) names no Docker image") }
        self.init(name: egg.name, image: first.image)
        description = egg.description
        author = egg.author
        altImages = images.dropFirst().map(\.image)
        imageLabels = Dictionary(images.map { ($0.image, $0.label) }, uniquingKeysWith: { first, _ in first })
        startup = egg.startup
        features = egg.features
        fileDenylist = egg.fileDenylist.flatMap { $0.isEmpty ? nil : $0 }
        ready = try Self.readyText(egg.config.startup, egg: egg.name)
        switch egg.config.stop {
        case "^C", "^c": stopSignal = "SIGINT"
        case let command?: stopCommand = command
        case nil: break
        }
        if let installation = egg.scripts?.installation, !installation.script.isEmpty {
            install = InstallDefinition(
                image: installation.container,
                // Exports carry Windows line ends, which a shell reads as part of each command.
                script: installation.script.replacingOccurrences(of: "\r\n", with: "\n"),
                entrypoint: installation.entrypoint
            )
        }
        var variables: [String: VariableDefinition] = [:]
        for variable in egg.variables ?? [] {
            variables[variable.envVariable] = VariableDefinition(
                default: variable.defaultValue,
                description: variable.description,
                rules: variable.rules,
                name: variable.name,
                userViewable: variable.userViewable,
                userEditable: variable.userEditable
            )
        }
        self.variables = variables
        configFiles = try Self.configFiles(egg.config.files, egg: egg.name)
    }

    /// `config.startup`'s `done`: one text or a list.
    private static func readyText(_ json: String?, egg: String) throws -> ReadyText? {
        guard let json, !json.isEmpty else { return nil }
        struct Startup: Decodable { var done: ReadyText? }
        guard let startup = try? JSONDecoder().decode(Startup.self, from: Data(json.utf8)) else {
            throw ImageImportError("the egg \(egg): config.startup is not JSON with a done text")
        }
        return startup.done
    }

    /// `config.files`: path → parser and the keys to set, each value as text.
    private static func configFiles(_ json: String?, egg: String) throws -> [String: ConfigFile]? {
        guard let json, !json.isEmpty else { return nil }
        struct File: Decodable {
            var parser: String
            var find: [String: EggScalar]
        }
        guard let files = try? JSONDecoder().decode([String: File].self, from: Data(json.utf8)) else {
            throw ImageImportError("the egg \(egg): config.files is not JSON of files, each with a parser and find")
        }
        return files.isEmpty ? nil : files.mapValues { ConfigFile(parser: $0.parser, find: $0.find.mapValues(\.text)) }
    }
}
