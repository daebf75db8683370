import BerthPanel

/// What is wrong with a form the panel refused, for the page that shows the form again with what was typed:
/// each field's problem beside it (`problems.errors.<field>`; the template marks the field `aria-invalid`
/// and points `aria-describedby` at the message), and every problem in a summary above the form that takes
/// focus (`form-problems.mustache`), each linking to its field.
struct FormProblems {
    /// A field's name in the form → its problem, as a sentence.
    let errors: [String: String]
    let summary: [Item]
    let title: String

    /// A field of the form: its name, its element's id, and what its label calls it, which replaces the
    /// field's name where a message starts with it (`ram must be…` beside "Memory (MiB)" reads `Memory must be…`).
    struct Field {
        let name: String
        let id: String
        let label: String

        init(_ name: String, id: String, label: String? = nil) {
            self.name = name
            self.id = id
            self.label = label ?? name
        }
    }

    struct Item {
        /// The id of the field's element, when the problem belongs to one.
        let fieldID: String?
        let message: String
    }

    /// `fields` names the form's fields in their order on the page, each with its element's id; a problem
    /// with a field not among them (or a refusal about no field at all, like a full node) shows in the
    /// summary only. `formField` turns a field as the panel's core names it into the form's name for it.
    init(_ error: PanelError, fields: [Field], formField: (String) -> String = { $0 }) {
        let problems: [FieldProblem]
        if case .invalidFields(let all) = error {
            problems = all
        } else {
            problems = [FieldProblem(field: "", message: error.message)]
        }
        var errors: [String: String] = [:]
        var unplaced: [Item] = []
        for problem in problems {
            let name = formField(problem.field)
            if let field = fields.first(where: { $0.name == name }), errors[name] == nil {
                errors[name] = Self.sentence(problem.message, naming: problem.field, as: field.label)
            } else {
                unplaced.append(Item(fieldID: nil, message: Self.sentence(problem.message)))
            }
        }
        self.errors = errors
        summary = fields.compactMap { field in errors[field.name].map { Item(fieldID: field.id, message: $0) } } + unplaced
        title = summary.count == 1 ? "There is a problem with this form" : "There are \(summary.count) problems with this form"
    }

    /// A refusal as a sentence: the core's `variables: ` prefix goes (the field says which), the first
    /// letter is a capital and it ends with a full stop.
    static func sentence(_ message: String, naming field: String = "", as label: String = "") -> String {
        var text = message.hasPrefix("variables: ") ? String(message.dropFirst("variables: ".count)) : message
        if !field.isEmpty, text.hasPrefix(field + " ") { text = label + text.dropFirst(field.count) }
        text = text.prefix(1).uppercased() + text.dropFirst()
        return text.hasSuffix(".") || text.hasSuffix("?") ? text : text + "."
    }
}
