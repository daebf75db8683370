/// The quoted-printable content transfer encoding (RFC 2045 6.7) for a text body: ASCII text stays readable,
/// any other byte becomes `=XX`, and no line is longer than 76 characters, so no relay rewraps or rejects it.
enum QuotedPrintable {
    /// The longest encoded line, soft line break included.
    private static let maximumLineLength = 76

    /// `text` encoded, its line ends (LF, CRLF or CR) as CRLF, with no CRLF after the last line.
    static func encode(_ text: String) -> String {
        lines(of: Array(text.utf8)).map(encode(line:)).joined(separator: "\r\n")
    }

    /// Splits at LF, CRLF and CR, keeping empty lines.
    private static func lines(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "\n"):
                lines.append(bytes[start..<index])
                start = index + 1
            case UInt8(ascii: "\r"):
                lines.append(bytes[start..<index])
                if index + 1 < bytes.endIndex && bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
                start = index + 1
            default:
                break
            }
            index += 1
        }
        lines.append(bytes[start..<bytes.endIndex])
        return lines
    }

    /// One text line as one or more encoded lines joined by soft line breaks (`=` CRLF).
    private static func encode(line: ArraySlice<UInt8>) -> String {
        var encoded = ""
        var current = ""
        for index in line.indices {
            let byte = line[index]
            let token: String
            switch byte {
            // Whitespace at the end of a line may be stripped in transit (RFC 2045 6.7 rule 3), so there it is encoded.
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                token = index == line.index(before: line.endIndex) ? escaped(byte) : String(UnicodeScalar(byte))
            case 33...126 where byte != UInt8(ascii: "="):
                token = String(UnicodeScalar(byte))
            default:
                token = escaped(byte)
            }
            // The soft line break's `=` takes the last column.
            if current.utf8.count + token.utf8.count > maximumLineLength - 1 {
                encoded += current + "=\r\n"
                current = ""
            }
            current += token
        }
        return encoded + current
    }

    private static func escaped(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
