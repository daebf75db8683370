import Foundation

/// A Pterodactyl egg as exported (`meta.version` PTDL_v2, or PTDL_v1 where it differs): what Berth reads
/// of it. Its `config` fields are JSON held in strings, as Pterodactyl exports them.
struct Egg: Decodable {
    var meta: Meta
    var name: String
    var author: String?
    var description: String?
    var features: [String]?
    /// PTDL_v2: label → image, several the owner may pick from.
    var dockerImages: [String: String]?
    /// PTDL_v1: a list of images; older exports have one.
    var images: [String]?
    var image: String?
    var fileDenylist: [String]?
    var startup: String
    var config: Config
    var scripts: Scripts?
    var variables: [Variable]?

    struct Meta: Decodable {
        var version: String
    }

    struct Config: Decodable {
        /// JSON: `{"done": "text"}` or `{"done": ["text", ...]}`.
        var startup: String?
        /// JSON: path → `{"parser": ..., "find": {...}}`.
        var files: String?
        /// A console command, or `^C` for SIGINT.
        var stop: String?
    }

    struct Scripts: Decodable {
        var installation: Installation?
    }

    struct Installation: Decodable {
        var script: String
        var container: String?
        var entrypoint: String?
    }

    struct Variable: Decodable {
        var name: String
        var description: String?
        var envVariable: String
        var defaultValue: String?
        var userViewable: Bool?
        var userEditable: Bool?
        var rules: String?

        enum CodingKeys: String, CodingKey {
            case name, description, rules
            case envVariable = "env_variable"
            case defaultValue = "default_value"
            case userViewable = "user_viewable"
            case userEditable = "user_editable"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            description = try container.decodeIfPresent(String.self, forKey: .description)
            envVariable = try container.decode(String.self, forKey: .envVariable)
            // Exports write the default as text, and now and then as a number.
            defaultValue = try container.decodeIfPresent(EggScalar.self, forKey: .defaultValue)?.text
            userViewable = try container.decodeIfPresent(EggScalar.self, forKey: .userViewable)?.flag
            userEditable = try container.decodeIfPresent(EggScalar.self, forKey: .userEditable)?.flag
            rules = try container.decodeIfPresent(String.self, forKey: .rules)
        }
    }

    enum CodingKeys: String, CodingKey {
        case meta, name, author, description, features, images, image, startup, config, scripts, variables
        case dockerImages = "docker_images"
        case fileDenylist = "file_denylist"
    }

    /// Whether `data` is an egg rather than a Skyport image: it says so in `meta.version`.
    static func isEgg(_ data: Data) -> Bool {
        struct Probe: Decodable { var meta: Meta? }
        return (try? JSONDecoder().decode(Probe.self, from: data))?.meta?.version.hasPrefix("PTDL_") == true
    }
}

/// A JSON scalar as eggs write them: text, a number or a boolean (`1`, `true`, `"1"`).
struct EggScalar: Decodable {
    let text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self.text = text
        } else if let flag = try? container.decode(Bool.self) {
            text = flag ? "true" : "false"
        } else if let number = try? container.decode(Double.self) {
            text = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        } else {
            text = ""
        }
    }

    var flag: Bool { ["1", "true"].contains(text.lowercased()) }
}
