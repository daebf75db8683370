/// Paths as the file system is given them. A session's home is the root, and the root is as far up as a
/// path can go, so `..` above it stays there rather than failing (as `cd ..` at `/` does).
enum SFTPPath {
    /// `path` made absolute and lexical: relative to `/`, without empty or `.` components, each `..`
    /// taking away the component before it and never going above the root. No file system is asked, so
    /// a link inside the path is left for the file system to resolve within its own confinement.
    static func normalised(_ path: String) -> String {
        var components: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..": _ = components.popLast()
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }
}
