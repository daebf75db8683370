import HTTPTypes

extension HTTPField.Name {
    /// A field name written in the source, so known to be valid.
    package static func known(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { preconditionFailure("\(name) is a valid field name") }
        return field
    }

    /// The fields of a signed callback (``CallbackSignature``).
    public static let berthKey = known("Berth-Key")
    public static let berthDate = known("Berth-Date")
    public static let berthNonce = known("Berth-Nonce")
    public static let berthSignature = known("Berth-Signature")
}
