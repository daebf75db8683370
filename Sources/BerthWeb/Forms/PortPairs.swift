import BerthPanel

/// The deploy form's ports as people read them: rows of a host port and the container port it leads to
/// (fields `hostPort` and `containerPort`, repeated). The seed's API keeps its own `container:host` text.
struct PortPairs {
    struct Row {
        let host: String
        let container: String
    }

    let rows: [Row]

    init(_ form: FormFields) {
        let hosts = form.values["hostPort"] ?? []
        let containers = form.values["containerPort"] ?? []
        rows = (0..<max(hosts.count, containers.count)).map { index in
            Row(
                host: index < hosts.count ? hosts[index].trimmingCharacters(in: .whitespaces) : "",
                container: index < containers.count ? containers[index].trimmingCharacters(in: .whitespaces) : ""
            )
        }
    }

    /// The rows filled in as the seed's `ports` text (`container:host,…`); a blank container port is the host
    /// port's own number. Nil when no row is filled in: the node's ranges give the ports.
    func seedText() throws -> String? {
        let filled = rows.filter { !$0.host.isEmpty || !$0.container.isEmpty }
        guard !filled.isEmpty else { return nil }
        if filled.contains(where: { $0.host.isEmpty }) {
            throw PanelError.invalidFields([
                FieldProblem(field: "ports", message: "give each container port the host port that leads to it, or leave both blank")
            ])
        }
        return filled.map { "\($0.container.isEmpty ? $0.host : $0.container):\($0.host)" }.joined(separator: ",")
    }

    /// The rows a form draws: those sent, then blank ones up to ``shown``.
    var shownRows: [Row] {
        rows + Array(repeating: Row(host: "", container: ""), count: max(0, Self.shown - rows.count))
    }

    static let shown = 3
}
