import BerthHTTP
import BerthProtocol
import Foundation

/// The loose forms real clients send for sizes, CPU, ports and variables (DESIGN.md §2.1), read into
/// numbers; anything else is a 400 that names the field.
enum LooseQuantities {
    /// `512`, `"512"`, `"512MB"`, `"512M"`, `"2G"`, `"1.5GB"`, `"1024 MiB"` → MiB.
    static func mebibytes(_ value: JSONValue, field: String) throws -> Int {
        let problem = PanelError.invalid("\(field) must be a size such as 512, \"512MB\" or \"2G\"")
        guard let text = value.scalarText?.trimmingCharacters(in: .whitespaces).uppercased(), !text.isEmpty else { throw problem }
        let units: [(String, Double)] = [
            ("GIB", 1024), ("GB", 1024), ("G", 1024), ("MIB", 1), ("MB", 1), ("M", 1), ("TB", 1024 * 1024), ("T", 1024 * 1024),
        ]
        var number = text
        var factor = 1.0
        for (suffix, multiplier) in units where text.hasSuffix(suffix) {
            number = String(text.dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
            factor = multiplier
            break
        }
        guard let amount = decimal(number, from: value), amount.isFinite, amount > 0 else { throw problem }
        let mebibytes = (amount * factor).rounded()
        guard mebibytes >= 1, mebibytes <= Double(1 << 30) else { throw PanelError.invalid("\(field) must be positive and at most 1 PiB") }
        return Int(mebibytes)
    }

    /// `1`, `1.5`, `"1"`, `"150%"` → cores.
    static func cores(_ value: JSONValue, field: String) throws -> Double {
        let problem = PanelError.invalid("\(field) must be a number of cores such as 1, 1.5 or \"150%\"")
        guard let text = value.scalarText?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { throw problem }
        let cores: Double?
        if text.hasSuffix("%") {
            cores = decimal(text.dropLast().trimmingCharacters(in: .whitespaces), from: .null).map { $0 / 100 }
        } else {
            cores = decimal(text, from: value)
        }
        guard let cores, cores.isFinite, cores > 0 else { throw problem }
        guard cores >= ResourceLimits.smallestCPU - 1e-12 else {
            throw PanelError.invalid("\(field) must be at least 0.01 cores (1%), the smallest share Docker gives")
        }
        guard cores <= 1024 else { throw PanelError.invalid("\(field) must be at most 1024 cores") }
        return cores
    }

    /// A number as people write one: digits with at most one decimal point, perhaps a leading `+`.
    /// `Double("0x10")` and `Double("1e3")` read hex and exponents, which no billing form means; a JSON
    /// number is taken as it is.
    static func decimal(_ text: String, from value: JSONValue) -> Double? {
        if case .number(let number) = value { return number }
        let text = text.hasPrefix("+") ? String(text.dropFirst()) : text
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !text.isEmpty, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), parts.contains(where: { !$0.isEmpty }) else {
            return nil
        }
        return Double(text)
    }

    /// Ports one instance may publish.
    static let maximumPorts = 32

    /// `"25565:25565,8080:80"` (container:host), `"25565"`, or `25565` → mappings.
    static func ports(_ value: JSONValue, field: String) throws -> [PortMapping] {
        let problem = PanelError.invalid("\(field) must look like \"25565:25565,8080:80\" (container:host)")
        guard let text = value.scalarText, !text.isEmpty else { throw problem }
        var mappings: [PortMapping] = []
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard (1...2).contains(parts.count), let container = Int(parts[0]), let host = Int(parts.last ?? "") else { throw problem }
            guard (1...65535).contains(container), (1...65535).contains(host) else {
                throw PanelError.invalid("\(field): ports must be between 1 and 65535")
            }
            mappings.append(PortMapping(hostPort: host, containerPort: container))
        }
        guard !mappings.isEmpty else { throw problem }
        // Each port is a TCP and a UDP binding on the node (and an allocation row): a list of thousands
        // would be a way to exhaust the node, not a server's needs.
        guard mappings.count <= maximumPorts else {
            throw PanelError.invalid("\(field): at most \(maximumPorts) ports per instance")
        }
        guard Set(mappings.map(\.hostPort)).count == mappings.count else {
            throw PanelError.invalid("\(field): a host port appears twice")
        }
        return mappings
    }

    /// An object or a JSON string of one; values are scalars → name to text.
    static func variables(_ value: JSONValue?, field: String) throws -> [String: String] {
        guard let value else { return [:] }
        let object: [String: JSONValue]
        switch value {
        case .object(let contents):
            object = contents
        case .string(let text) where text.trimmingCharacters(in: .whitespaces).isEmpty:
            return [:]
        case .string(let text):
            guard case .object(let contents) = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
                throw PanelError.invalid("\(field) must be an object, or a JSON string of one")
            }
            object = contents
        case .array(let items) where items.isEmpty:
            return [:]
        default:
            throw PanelError.invalid("\(field) must be an object, or a JSON string of one")
        }
        var variables: [String: String] = [:]
        for (name, item) in object {
            guard EnvironmentName.isValid(name) else { throw PanelError.invalid("\(field): \(name) is not a valid variable name") }
            guard let text = item.scalarText ?? (item == .null ? "" : nil) else {
                throw PanelError.invalid("\(field): \(name) must be a string or a number")
            }
            variables[name] = text
        }
        return variables
    }
}
