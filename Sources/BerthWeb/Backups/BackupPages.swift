import BerthHTTP
import BerthPanel
import Foundation
import Hummingbird

/// The backups page of an instance: make one, download, restore, lock and delete. Each takes the
/// `backups` permission and is recorded in the audit log under the instance.
struct BackupPages: Sendable {
    let pages: WebPages
    let instances: InstanceStore
    let access: InstanceAccess
    let audit: AuditLog
    private var part: InstancePart { InstancePart(access: access, audit: audit, permission: .backups, section: "backups") }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("instances/:id/backups") { _, context in
            let (reached, id) = try await part.reach(context)
            let list = BackupList(
                instanceID: id,
                instanceName: reached.instance.name,
                backups: try await instances.backups.list(id, as: reached.role),
                limit: reached.instance.backupLimit
            )
            return pages.render(
                "backups",
                title: "Backups · \(reached.instance.name)",
                content: list,
                context: context,
                scripts: ["backups.js"]
            )
        }
        group.get("instances/:id/backups/:backup/download") { request, context in
            let (reached, id) = try await part.reach(context)
            let backup = try context.parameters.require("backup")
            let download = try await instances.backups.download(id, backup: backup, range: request.headers[.range], as: reached.role)
            return DownloadResponse.passing(download, named: "backup-\(backup).tar.zst")
        }
        group.post("instances/:id/backups") { _, context in
            try await part.change(context) { reached, id in
                let name = context.form.optional("name")
                let stopFirst = context.form.optional("stop-first") == "on"
                let made = try await instances.backups.start(id, name: name, stopFirst: stopFirst, as: reached.role)
                return (
                    "started backup \(made.name)",
                    "The backup \(made.name) is being made\(stopFirst ? "; the instance is stopped for it and started again after" : ""). Its progress shows below."
                )
            }
        }
        group.post("instances/:id/backups/:backup/restore") { _, context in
            try await part.change(context) { reached, id in
                let backup = try context.parameters.require("backup")
                // Each backup's box has a name of its own: checkboxes of one name would be one group.
                guard context.form.optional("confirm-\(backup)") == "on" else {
                    throw PanelError.invalid("tick the box to confirm: restoring replaces all of the instance's files")
                }
                let path = context.form.optional("path")
                let restored = try await instances.backups.restore(id, backup: backup, path: path, as: reached.role)
                let what = path.map { "\($0) is restored from the backup" } ?? "The backup is restored"
                return (
                    "restored \(path.map { "\($0) from " } ?? "")backup \(backup)",
                    "\(what): \(restored.entries == 1 ? "1 entry" : "\(restored.entries) entries"), \(ByteCount.text(restored.bytes))."
                )
            }
        }
        group.post("instances/:id/backups/:backup/lock") { _, context in
            try await part.change(context) { reached, id in
                let locked = context.form.optional("locked") == "true"
                let backup = try await instances.backups.setLocked(locked, id: id, backup: try context.parameters.require("backup"), as: reached.role)
                return (
                    "\(locked ? "locked" : "unlocked") backup \(backup.name)",
                    locked ? "\(backup.name) is locked: it cannot be deleted." : "\(backup.name) is unlocked."
                )
            }
        }
        group.post("instances/:id/backups/:backup/delete") { _, context in
            try await part.change(context) { reached, id in
                let backup = try context.parameters.require("backup")
                try await instances.backups.delete(id, backup: backup, as: reached.role)
                return ("deleted backup \(backup)", "The backup was deleted.")
            }
        }
    }
}
