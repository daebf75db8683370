/// One wrong field of a request: the field as the request names it, and what is wrong with it.
public struct FieldProblem: Equatable, Sendable {
    public let field: String
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Reads a request's fields one by one and gathers what is wrong with each, so that one answer names
/// every wrong field (a form shows each beside its field) instead of one per attempt.
package struct FieldChecks {
    package private(set) var problems: [FieldProblem] = []

    package init() {}

    /// What `read` gives, or nil when it refuses the input: the refusal is noted against `field` (a
    /// refusal that names several fields is noted as it is). Other errors are thrown.
    package mutating func check<Value>(_ field: String, _ read: () throws -> Value) throws -> Value? {
        do {
            return try read()
        } catch PanelError.invalid(let message) {
            problems.append(FieldProblem(field: field, message: message))
        } catch PanelError.invalidFields(let nested) {
            problems += nested
        }
        return nil
    }

    /// Notes a problem found by comparing fields.
    package mutating func note(_ message: String, about field: String) {
        problems.append(FieldProblem(field: field, message: message))
    }

    /// The refusal to throw once every field was read: every problem, each naming its field.
    package var refusal: PanelError { .invalidFields(problems) }

    /// Throws ``refusal`` when any field was wrong.
    package func finish() throws {
        if !problems.isEmpty { throw refusal }
    }
}
