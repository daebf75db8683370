/// Which file names are archives the node unpacks: what the daemon accepts for unpacking and the web UI
/// offers to extract, written once.
public enum ArchiveName {
    public static let unpackableSuffixes = [".zip", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".tar.bz2", ".tbz2"]

    public static func isUnpackable(_ name: String) -> Bool {
        let lower = name.lowercased()
        return unpackableSuffixes.contains { lower.hasSuffix($0) }
    }
}
