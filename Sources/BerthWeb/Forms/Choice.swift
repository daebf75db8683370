import BerthPanel

/// One option of a form's `<select>`.
struct Choice {
    let value: String
    let label: String
    let selected: Bool

    /// A user as the forms offer one: name and e-mail address, by `userId`.
    static func user(_ user: User, selected: Bool = false) -> Choice {
        Choice(value: user.userID, label: "\(user.username) (\(user.email))", selected: selected)
    }
}
