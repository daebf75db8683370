import Foundation

/// Base64 of bytes, as encoded-words and SMTP AUTH carry them.
enum Base64 {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
    }

    static func encode(_ text: String) -> String {
        encode(Array(text.utf8))
    }
}
