import BerthHTTP
import Foundation

/// The credentials the local node and the panel share; made once, readable only by its owner. A file
/// from before the channel's two secrets holds one token, which then serves both directions.
enum LocalNodeCredentials {
    static func loadOrCreate(in dataDirectory: String) throws -> NodeCredentials {
        let path = (dataDirectory as NSString).appendingPathComponent("local-node.token")
        if FileManager.default.fileExists(atPath: path),
            let credentials = NodeCredentials(
                token: try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            )
        {
            return credentials
        }
        try FileManager.default.createDirectory(
            atPath: dataDirectory,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        let credentials = NodeCredentials.generate()
        try? FileManager.default.removeItem(atPath: path)
        guard FileManager.default.createFile(atPath: path, contents: Data(credentials.token.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return credentials
    }
}
