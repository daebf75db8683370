/// RFC 2047 encoded-words: how header text that is not plain ASCII (an umlaut in a subject or a name) travels
/// in a message whose headers must be 7-bit.
enum EncodedWord {
    /// 42 bytes of text make 56 characters of base64, 68 with `=?utf-8?B?` and `?=`: short enough that even the
    /// first word, after `Subject: `, keeps its line within the 78 characters RFC 5322 2.1.1 asks for (an
    /// encoded-word alone may be 75, RFC 2047 2). A multiple of 3, so base64 needs no padding mid-text.
    private static let bytesPerWord = 42

    /// Whether `text` can go into a header as it is: printable ASCII and spaces only, and nothing a reader
    /// would take for an encoded-word (`=?`).
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { (0x20...0x7E).contains($0) } && !text.contains("=?")
    }

    /// `text` as encoded-words, each whole characters of at most 45 bytes, so no word splits a UTF-8 sequence.
    /// Readers join adjacent encoded-words without the folding whitespace between them.
    static func encode(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(character.utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > bytesPerWord {
                words.append(word(chunk))
                chunk = []
            }
            // A character longer than a whole word (a long emoji sequence) is cut at scalar boundaries instead.
            if bytes.count > bytesPerWord {
                for scalar in character.unicodeScalars {
                    let scalarBytes = Array(String(scalar).utf8)
                    if chunk.count + scalarBytes.count > bytesPerWord {
                        words.append(word(chunk))
                        chunk = []
                    }
                    chunk += scalarBytes
                }
            } else {
                chunk += bytes
            }
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?utf-8?B?\(Base64.encode(bytes))?="
    }
}
