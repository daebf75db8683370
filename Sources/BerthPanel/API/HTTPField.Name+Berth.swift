import BerthHTTP
import HTTPTypes

extension HTTPField.Name {
    /// `x-api-key`, as Skyport's clients send it.
    static let apiKey = known("x-api-key")
    /// Where reverse proxies name the client they forward for.
    static let xForwardedFor = known("X-Forwarded-For")
}
