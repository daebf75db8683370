/// One e-mail the panel writes to one person: a reset link, an invitation, an admin's test.
package struct Letter: Sendable, Equatable {
    package let to: String
    package let subject: String
    package let text: String

    package init(to: String, subject: String, text: String) {
        self.to = to
        self.subject = subject
        self.text = text
    }
}
