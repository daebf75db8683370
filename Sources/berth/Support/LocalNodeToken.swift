import BerthHTTP
import Foundation

/// The token the local node and the panel share; made once, readable only by its owner.
enum LocalNodeToken {
    static func loadOrCreate(in dataDirectory: String) throws -> String {
        let path = (dataDirectory as NSString).appendingPathComponent("local-node.token")
        if FileManager.default.fileExists(atPath: path) {
            let token = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            if !token.isEmpty { return token }
        }
        try FileManager.default.createDirectory(
            atPath: dataDirectory,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        let token = Secrets.generate()
        guard FileManager.default.createFile(atPath: path, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return token
    }
}
