/// What a handle stands for: an open file, or a directory's listing being read.
enum SFTPOpenHandle {
    case file(any SFTPFile, path: String)
    case directory(SFTPDirectoryListing)

    /// The normalised path it was opened at.
    var path: String {
        switch self {
        case .file(_, let path): path
        case .directory(let listing): listing.path
        }
    }
}
