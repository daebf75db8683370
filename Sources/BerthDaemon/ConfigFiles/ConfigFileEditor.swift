import BerthProtocol
import ConfinedFiles
import Foundation

/// Edits an instance's configuration files (an egg's `config.files`) in its volume before a start. The
/// files are the tenant's, so they are read and replaced only through ``ConfinedDirectory``: a
/// `server.properties` the server made a link to `/etc/shadow` is never read or written through; it is
/// replaced by a file.
struct ConfigFileEditor {
    let specification: InstanceSpecification
    /// The instance's environment as its container gets it.
    let environment: [String: String]
    /// The uid and gid the instance runs as, which new files get.
    let owner: UInt32

    /// Applies every edit to the volume at `volume`; returns what could not be done, one line each.
    func apply(in volume: String) -> [String] {
        guard let edits = specification.image.configFiles, !edits.isEmpty else { return [] }
        let directory: ConfinedDirectory
        do {
            directory = try ConfinedDirectory(path: volume, owner: (owner, owner))
        } catch {
            return ["the volume cannot be opened: \(error)"]
        }
        var problems: [String] = []
        for edit in edits {
            do {
                let text = try existingText(of: edit.path, in: directory)
                let values = edit.find.sorted { $0.key < $1.key }.map { (key: $0.key, value: filled($0.value)) }
                let edited = try ConfigFileParser.edit(text, parser: edit.parser, values: values)
                if edited != text { try directory.write(Data(edited.utf8), to: edit.path) }
            } catch {
                problems.append("\(edit.path): \(error)")
            }
        }
        return problems
    }

    /// The file's text; empty for a file not there yet, and for a link that leads out of the volume, which
    /// is broken inside the container too and is replaced by the edited file (never written through).
    private func existingText(of path: String, in directory: ConfinedDirectory) throws -> String {
        do {
            return try directory.read(path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        } catch ConfinedFileError.outside(_) {
            return ""
        }
    }

    /// `value` with the placeholders eggs use filled in; one Berth does not know stays as written.
    func filled(_ value: String) -> String {
        VariablePlaceholders.rewrite(value, placeholder: placeholder)
    }

    private func placeholder(_ name: String) -> String? {
        switch name {
        case "server.build.default.port": return specification.primaryMapping.map { String($0.containerPort) }
        case "server.build.default.ip": return "0.0.0.0"
        case "server.build.memory": return String(specification.limits.memoryMiB)
        default:
            for prefix in ["server.build.env.", "env."] where name.hasPrefix(prefix) {
                return environment[String(name.dropFirst(prefix.count))] ?? ""
            }
            return nil
        }
    }
}
