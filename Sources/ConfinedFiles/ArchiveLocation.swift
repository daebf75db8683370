/// Where an archive to unpack is: a file inside the root (an upload), or a file of the caller's own
/// outside it (a backup the daemon keeps), which no tenant can reach.
enum ArchiveLocation {
    case inRoot(String)
    /// An absolute path on the host, and how errors name it.
    case onHost(String, shown: String)

    /// A link in an archive of the caller's own (a backup) was in the volume when it was made, where
    /// nothing follows links: it is restored as it was, even one that leads out. A tenant's archive may
    /// not bring such a link in.
    var mayHoldLinksThatLeadOut: Bool {
        if case .onHost = self { return true }
        return false
    }

    var shown: String {
        switch self {
        case .inRoot(let path): path
        case .onHost(_, let shown): shown
        }
    }
}
