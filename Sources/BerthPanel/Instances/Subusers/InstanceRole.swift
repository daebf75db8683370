/// Why someone reaches an instance, and so what they may do with it.
package enum InstanceRole: Sendable, Equatable {
    /// One of the panel's administrators, or a key of the panel itself: everything.
    case administrator
    /// The instance's owner: everything the owner's side of the panel offers.
    case owner
    /// A user the owner invited, with what the owner granted.
    case subuser(Set<InstancePermission>)

    package var permissions: Set<InstancePermission> {
        switch self {
        case .administrator, .owner: Set(InstancePermission.allCases)
        case .subuser(let granted): granted
        }
    }

    package func may(_ permission: InstancePermission) -> Bool {
        permissions.contains(permission)
    }

    /// Throws the refusal that names what is missing, unless the role holds `permission`.
    package func require(_ permission: InstancePermission) throws {
        guard may(permission) else {
            throw PanelError.forbidden("you may not \(permission.summary) here; that takes the \(permission.rawValue) permission")
        }
    }
}
