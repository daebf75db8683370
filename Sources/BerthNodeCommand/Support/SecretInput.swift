import ArgumentParser
import Foundation

/// A secret given on the command line, or, so it stays out of `ps` and shell history, in a file or on
/// standard input (`-`).
package enum SecretInput {
    /// The secret from `value` or from `file` (exactly one of them); one trailing newline of a file or of
    /// standard input is not part of it.
    package static func read(value: String?, file: String?, option: String) throws -> String {
        switch (value, file) {
        case (let value?, nil):
            return value
        case (nil, let file?):
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("--\(option)-file \(file) cannot be read")
                }
                data = contents
            }
            var text = String(decoding: data, as: UTF8.self)
            if text.hasSuffix("\r\n") {
                text.removeLast(2)
            } else if text.hasSuffix("\n") {
                text.removeLast()
            }
            return text
        case (nil, nil):
            throw ValidationError("give --\(option) or --\(option)-file (a file, or - for standard input)")
        case (_?, _?):
            throw ValidationError("give --\(option) or --\(option)-file, not both")
        }
    }
}
