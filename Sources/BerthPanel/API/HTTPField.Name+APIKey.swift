import HTTPTypes

extension HTTPField.Name {
    /// `x-api-key`, as Skyport's clients send it.
    static let apiKey: HTTPField.Name = {
        guard let name = HTTPField.Name("x-api-key") else { preconditionFailure("x-api-key is a valid field name") }
        return name
    }()
}
