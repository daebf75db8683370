/// The daemon's API, which the panel calls with the node's token.
public enum DaemonRoutes {
    /// `GET`: what the node is (``NodeInfo``).
    public static let system = RoutePath("/api/system")
    /// `POST` an ``InstanceSpecification`` to create; `GET` every ``InstanceStatus``.
    public static let instances = RoutePath("/api/instances")
    /// `GET` one ``InstanceStatus``; `DELETE` the instance.
    public static let instance = RoutePath("/api/instances/:id")
    /// `POST` a ``PowerRequest``.
    public static let power = RoutePath("/api/instances/:id/power")
    /// `POST` a ``CommandRequest``.
    public static let command = RoutePath("/api/instances/:id/command")
    /// `PUT` ``ResourceLimits``.
    public static let limits = RoutePath("/api/instances/:id/limits")
    /// `PUT` the instance's new ``InstanceSpecification``: its container follows at the next start.
    public static let specification = RoutePath("/api/instances/:id/specification")
    /// `POST` to run the install again, with an optional ``ReinstallRequest``.
    public static let reinstall = RoutePath("/api/instances/:id/reinstall")
    /// `POST` a ``SuspensionRequest``.
    public static let suspension = RoutePath("/api/instances/:id/suspension")
    /// The console WebSocket, with a console token (``ConsoleMessage``s both ways).
    public static let console = RoutePath("/api/instances/:id/console")
    /// `GET` the latest ``ResourceSample`` of every running instance, by id: what lists of instances show.
    public static let usage = RoutePath("/api/usage")
    /// `GET` the ``DiskUsage`` of every instance, by id, running or not: measured at once for those with a
    /// disk limit, counted at most once a minute for the others (an instance not counted yet is left out).
    public static let disks = RoutePath("/api/disks")

    // An instance's files; every path is relative to its volume and given as the `path` query item.
    /// `GET` a ``FolderListing`` of the folder at `path`.
    public static let files = RoutePath("/api/instances/:id/files")
    /// `GET` the ``VolumeEntry`` at `path`, not followed.
    public static let fileEntry = RoutePath("/api/instances/:id/files/entry")
    /// `GET` the bytes of the file at `path` (with `Range`); `PUT` them (streamed, replacing it at once).
    public static let fileContents = RoutePath("/api/instances/:id/files/contents")
    /// `POST` a ``FolderRequest``.
    public static let folders = RoutePath("/api/instances/:id/files/folders")
    /// `POST` a ``FileTransferRequest`` to move.
    public static let fileMove = RoutePath("/api/instances/:id/files/move")
    /// `POST` a ``FileTransferRequest`` to copy.
    public static let fileCopy = RoutePath("/api/instances/:id/files/copy")
    /// `POST` a ``FileDeletionRequest``.
    public static let fileDeletion = RoutePath("/api/instances/:id/files/delete")
    /// `POST` a ``FileModeRequest``.
    public static let fileMode = RoutePath("/api/instances/:id/files/mode")
    /// `POST` an ``ArchiveRequest``; the answer is the archive's ``VolumeEntry``.
    public static let fileArchive = RoutePath("/api/instances/:id/files/compress")
    /// `POST` an ``ExtractionRequest``; the answer is an ``ExtractionAnswer``.
    public static let fileExtraction = RoutePath("/api/instances/:id/files/decompress")
    /// `POST` a ``PullRequest``; the answer, once the whole file is there, is its ``VolumeEntry``.
    public static let filePull = RoutePath("/api/instances/:id/files/pull")

    // An instance's backups, kept on the node outside its volume; the panel names each by a UUID.
    /// `PUT` makes the backup (answering with its ``BackupSummary`` once written), `GET` streams its
    /// bytes, `DELETE` removes it.
    public static let backup = RoutePath("/api/instances/:id/backups/:backup")
    /// `POST` a ``RestoreRequest``: replaces the volume's contents with the backup's; the answer is an
    /// ``ExtractionAnswer``.
    public static let backupRestore = RoutePath("/api/instances/:id/backups/:backup/restore")
    /// `GET`: the ``BackupProgress`` of the backup being made; 404 when none is.
    public static let backupProgress = RoutePath("/api/instances/:id/backups/:backup/progress")
    /// `POST` a ``BackupUpload``: sends parts of the backup's archive to object storage with the requests
    /// the panel signed (the node never holds the bucket's key); the answer is a ``BackupUploadAnswer``.
    public static let backupUpload = RoutePath("/api/instances/:id/backups/:backup/upload")

    // Moving an instance between nodes, node to node: the panel prepares the receiving node, then asks the
    // sending one, which streams the files to the receiving one directly (never through the panel).
    /// `POST` an ``IncomingTransfer`` to the receiving node: it records the instance, waiting for its files.
    public static let incomingTransfers = RoutePath("/api/transfers")
    /// `PUT` the instance's files (a `.tar.zst`, its SHA-256 in `Berth-SHA256`) to the receiving node, with
    /// `Authorization: Bearer <the transfer's token>` instead of the node's: the answer is the instance's
    /// ``InstanceStatus`` there, installed (and started when the transfer said so).
    public static let transferFiles = RoutePath("/api/transfers/:transfer/files")
    /// `PUT` what changed since the copy of a live transfer (the sending node's `VolumeChanges`), with the
    /// same token and header, once the copy's files arrived: the answer is the instance's ``InstanceStatus``.
    public static let transferChanges = RoutePath("/api/transfers/:transfer/changes")
    /// `POST` an ``OutgoingTransfer`` to the sending node; the answer is a ``TransferAnswer``.
    public static let instanceTransfer = RoutePath("/api/instances/:id/transfer")
}

/// The panel's routes that daemons call with the node's token (`/api/remote/...`).
public enum PanelRemoteRoutes {
    /// `POST` an ``InstanceEventBatch``.
    public static let events = RoutePath("/api/remote/events")
    /// `POST` the node's ``NodeInfo``.
    public static let heartbeat = RoutePath("/api/remote/heartbeat")
    /// `POST` an ``SFTPLoginRequest``; the answer is an ``SFTPGrant``.
    public static let sftpLogin = RoutePath("/api/remote/sftp/login")
    /// `POST` an ``SFTPAccessRequest``; the answer is the ``SFTPGrant`` as it now stands.
    public static let sftpAccess = RoutePath("/api/remote/sftp/access")
    /// `POST` an ``SFTPActivityBatch``.
    public static let sftpActivity = RoutePath("/api/remote/sftp/activity")
}
