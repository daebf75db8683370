import Foundation

// Writes a Swift file holding every file under a folder, by its path there, base64-encoded in string
// literals (which the compiler takes in quickly, where array literals of bytes crawl):
//
//     EmbedFiles <folder> <output.swift>
//
// The build runs it through the EmbedResources plugin; nothing else does.

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: EmbedFiles <folder> <output.swift>\n".utf8))
    exit(2)
}
let folder = URL(fileURLWithPath: arguments[1]).standardizedFileURL
var entries: [(path: String, base64: String)] = []
let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
while let file = walker?.nextObject() as? URL {
    guard (try file.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
    let path = String(file.standardizedFileURL.path.dropFirst(folder.path.count + 1))
    entries.append((path, try Data(contentsOf: file).base64EncodedString()))
}
entries.sort { $0.path < $1.path }

var swift = """
    // Generated from \(folder.lastPathComponent)/ by EmbedFiles at build time; not kept in the repository.
    import Foundation

    /// The files of the target's `Resources/` folder, built in.
    enum EmbeddedResources {
        /// Every file's bytes, by its path under `Resources/` (`web/static/app.css`).
        static func data(_ path: String) -> Data? {
            files[path].flatMap { Data(base64Encoded: $0) }
        }

        /// The paths of the files under `folder` (`web/templates`), deeper ones included.
        static func paths(under folder: String) -> [String] {
            files.keys.filter { $0.hasPrefix(folder + "/") }.sorted()
        }

        private static let files: [String: String] = [

    """
for entry in entries {
    swift += "        \"\(entry.path)\": \"\(entry.base64)\",\n"
}
swift += entries.isEmpty ? "        :\n" : ""
swift += "    ]\n}\n"
try swift.write(to: URL(fileURLWithPath: arguments[2]), atomically: true, encoding: .utf8)
