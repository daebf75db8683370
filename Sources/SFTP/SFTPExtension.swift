/// The OpenSSH extensions this server answers, each with the version VERSION advertises for it
/// (OpenSSH's PROTOCOL file, section 4).
enum SFTPExtension: String, CaseIterable {
    case posixRename = "posix-rename@openssh.com"
    case fileSystemStats = "statvfs@openssh.com"
    case handleFileSystemStats = "fstatvfs@openssh.com"
    case sync = "fsync@openssh.com"
    case limits = "limits@openssh.com"

    var version: String {
        switch self {
        case .posixRename, .sync, .limits: "1"
        case .fileSystemStats, .handleFileSystemStats: "2"
        }
    }

    /// The name and version pairs of a VERSION reply, in the order OpenSSH sends them.
    static var advertised: [(name: String, version: String)] { allCases.map { ($0.rawValue, $0.version) } }
}
