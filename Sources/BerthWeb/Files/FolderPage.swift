import BerthHTTP
import BerthPanel
import BerthProtocol
import Foundation

/// One folder of an instance's files as the file manager page shows it: where it is (breadcrumbs), what
/// is in it (sorted as asked), and what the viewer may do.
struct FolderPage {
    let instanceID: String
    let instanceName: String
    /// The folder, relative to the volume, without a leading slash ("" for the root).
    let folder: String
    let crumbs: [Crumb]
    let rows: [Row]
    let isEmpty: Bool
    let count: String
    let mayWrite: Bool
    let sortLinks: [SortLink]
    let editableLimit: String

    struct Crumb {
        let name: String
        let href: String
        let isCurrent: Bool
    }

    /// A column header that sorts by it, with its state for `aria-sort`.
    struct SortLink {
        let key: String
        let label: String
        let href: String
        let ariaSort: String
    }

    struct Row {
        let name: String
        let path: String
        let kind: String
        let isFolder: Bool
        let isLink: Bool
        let openHref: String
        let downloadHref: String
        let editable: Bool
        let isArchive: Bool
        let size: String
        let modified: String
        let modifiedISO: String
        let mode: String
        let linkNote: String
        let isBroken: Bool
        let rowID: String
    }

    enum SortKey: String, CaseIterable {
        case name, size, modified
    }

    init(instanceID: String, instanceName: String, listing: FolderListing, sort: SortKey, descending: Bool, mayWrite: Bool) {
        self.instanceID = instanceID
        self.instanceName = instanceName
        self.mayWrite = mayWrite
        let folder = String(listing.path.drop { $0 == "/" })
        self.folder = folder
        let base = "/instances/\(instanceID)/files"
        var crumbs = [Crumb(name: instanceName, href: base, isCurrent: folder.isEmpty)]
        var walked: [String] = []
        let parts = folder.split(separator: "/").map(String.init)
        for (index, part) in parts.enumerated() {
            walked.append(part)
            crumbs.append(
                Crumb(name: part, href: base + "?path=" + QueryValue.encode(walked.joined(separator: "/")), isCurrent: index == parts.count - 1)
            )
        }
        self.crumbs = crumbs
        let sorted = Self.sorted(listing.entries, by: sort, descending: descending)
        rows = sorted.enumerated().map { index, entry in
            Self.row(entry, in: folder, base: base, index: index)
        }
        isEmpty = listing.entries.isEmpty
        count = "\(listing.entries.count) \(listing.entries.count == 1 ? "entry" : "entries")"
        sortLinks = SortKey.allCases.map { key in
            let active = key == sort
            let nextDescending = active ? !descending : key != .name
            return SortLink(
                key: key.rawValue,
                label: key.rawValue.prefix(1).uppercased() + key.rawValue.dropFirst(),
                href: base + "?path=" + QueryValue.encode(folder) + "&sort=\(key.rawValue)&order=\(nextDescending ? "desc" : "asc")",
                ariaSort: active ? (descending ? "descending" : "ascending") : "none"
            )
        }
        editableLimit = "\(InstanceFiles.editableLimit >> 20) MiB"
    }

    /// Folders first, then by the key; names compare as people read them (file2 before file10).
    static func sorted(_ entries: [VolumeEntry], by key: SortKey, descending: Bool) -> [VolumeEntry] {
        entries.sorted { a, b in
            if (a.kind == .folder) != (b.kind == .folder) { return a.kind == .folder }
            let ascending: Bool
            switch key {
            case .name: ascending = a.name.localizedStandardCompare(b.name) == .orderedAscending
            case .size: ascending = a.size == b.size ? a.name < b.name : a.size < b.size
            case .modified: ascending = a.modified == b.modified ? a.name < b.name : a.modified < b.modified
            }
            return descending ? !ascending : ascending
        }
    }

    static func row(_ entry: VolumeEntry, in folder: String, base: String, index: Int) -> Row {
        let path = folder.isEmpty ? entry.name : folder + "/" + entry.name
        let isFolder = entry.kind == .folder
        let linkNote: String
        switch entry.linkState {
        case .inside?: linkNote = "→ \(entry.linkTarget ?? "")"
        case .outside?: linkNote = "→ \(entry.linkTarget ?? "") (leads out of the volume; not followed)"
        case .dangling?: linkNote = "→ \(entry.linkTarget ?? "") (missing)"
        case nil: linkNote = ""
        }
        return Row(
            name: entry.name,
            path: path,
            kind: entry.kind.rawValue,
            isFolder: isFolder,
            isLink: entry.kind == .link,
            openHref: isFolder ? base + "?path=" + QueryValue.encode(path) : base + "/edit?path=" + QueryValue.encode(path),
            downloadHref: base + "/download?path=" + QueryValue.encode(path),
            editable: entry.kind == .file && entry.size <= InstanceFiles.editableLimit
                || (entry.kind == .link && entry.linkState == .inside),
            isArchive: entry.kind == .file && ArchiveName.isUnpackable(entry.name),
            size: isFolder || entry.kind == .link ? "–" : ByteCount.text(entry.size),
            modified: String(entry.modified.prefix(16)).replacingOccurrences(of: "T", with: " "),
            modifiedISO: entry.modified,
            mode: entry.mode,
            linkNote: linkNote,
            isBroken: entry.linkState == .outside || entry.linkState == .dangling,
            rowID: "file-\(index)"
        )
    }
}
