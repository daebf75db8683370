import BerthPanel

/// An image's variable as a form field: its label, value, and rules in words.
struct VariableField {
    let name: String
    /// The form field's name.
    let field: String
    /// Named apart from the image's `label` and others: Mustache looks a missing value up in the outer sections.
    let displayName: String?
    let value: String
    let help: String?
    let required: Bool
    /// The rules in words, e.g. "required, a whole number from 1025 to 65535".
    let rules: String
    /// What is wrong with the value the form sent, when the panel refused it. Named apart from anything
    /// the page around it holds, for the same reason as `displayName`.
    let fieldProblem: String?

    init(_ name: String, _ variable: ImageDefinition.VariableDefinition, field: String, value: String?, problem: String? = nil) {
        fieldProblem = problem
        let rules = try? variable.checkedRules()
        self.name = name
        self.field = field
        displayName = variable.name
        self.value = value ?? variable.default ?? ""
        help = variable.description
        required = rules?.required ?? false
        self.rules = rules?.summary ?? ""
    }
}
