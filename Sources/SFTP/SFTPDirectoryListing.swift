/// An open directory handle: the listing read at OPENDIR, handed out a page per READDIR.
struct SFTPDirectoryListing {
    /// The most entries one NAME packet carries, as OpenSSH's sftp-server sends.
    static let maximumEntriesPerPage = 100

    let path: String
    private let entries: [SFTPDirectoryEntry]
    private var position = 0

    init(path: String, entries: [SFTPDirectoryEntry]) {
        self.path = path
        self.entries = entries
    }

    /// The next entries, at most ``maximumEntriesPerPage`` and no more than `byteBudget` bytes encoded
    /// (at least one entry, whatever its length); empty once every entry has been given.
    mutating func nextPage(byteBudget: Int) -> ArraySlice<SFTPDirectoryEntry> {
        let start = position
        var length = 0
        while position < entries.count && position - start < Self.maximumEntriesPerPage {
            length += SFTPReply.encodedLength(of: entries[position])
            if length > byteBudget && position > start { break }
            position += 1
        }
        return entries[start..<position]
    }
}
