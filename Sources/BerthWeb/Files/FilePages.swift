import AsyncHTTPClient
import BerthHTTP
import BerthPanel
import BerthProtocol
import Foundation
import Hummingbird
import NIOCore

/// The file manager's pages: a folder's listing, the text editor, downloads and uploads (streamed
/// through to the node), and the forms that make folders, fetch files from URLs, rename, change
/// permissions and delete. Each change is recorded in the audit log under the instance.
struct FilePages: Sendable {
    let pages: WebPages
    let instances: InstanceStore
    let access: InstanceAccess
    let audit: AuditLog
    private var part: InstancePart { InstancePart(access: access, audit: audit, permission: .filesRead, section: "files") }

    func addRoutes(to group: RouterGroup<WebRequestContext>) {
        group.get("instances/:id/files") { request, context in
            let (reached, id) = try await part.reach(context)
            let path = request.uri.queryParameters.get("path") ?? ""
            let sort = FolderPage.SortKey(rawValue: request.uri.queryParameters.get("sort") ?? "") ?? .name
            let descending = request.uri.queryParameters.get("order") == "desc"
            do {
                let listing = try await instances.files.list(id, path: path, as: reached.role)
                let page = FolderPage(
                    instanceID: id,
                    instanceName: reached.instance.name,
                    listing: listing,
                    sort: sort,
                    descending: descending,
                    mayWrite: reached.role.may(.filesWrite)
                )
                return pages.render("files", title: "Files · \(reached.instance.name)", content: page, context: context, scripts: ["files.js"])
            } catch let error as PanelError where !path.isEmpty && !(error.isAccessRefusal) {
                // A folder that is gone or is not one: back to the root, saying why.
                context.flash(error)
                return WebResponse.redirect("/instances/\(id)/files")
            }
        }
        group.get("instances/:id/files/download") { request, context in
            let (reached, id) = try await part.reach(context)
            let path = try request.requiredPathQueryItem()
            let download = try await instances.files.download(id, path: path, range: request.headers[.range], as: reached.role)
            return DownloadResponse.passing(download, named: (path as NSString).lastPathComponent)
        }
        group.get("instances/:id/files/edit") { request, context in
            let (reached, id) = try await part.reach(context)
            let path = try request.requiredPathQueryItem()
            var isNew = request.uri.queryParameters.get("new") == "1"
            // "New file" with the name of one that exists opens that one, so saving never replaces it unseen.
            if isNew, (try? await instances.files.entry(id, path: path, as: reached.role)) != nil {
                context.flash("\(path) exists already; here it is.")
                isNew = false
            }
            let text: String
            do {
                text = isNew ? "" : try await instances.files.text(id, path: path, as: reached.role)
            } catch let error as PanelError where !error.isAccessRefusal {
                context.flash(error)
                return WebResponse.redirect(Self.folderHref(id, of: path))
            }
            let editor = FileEditor(
                instanceID: id,
                instanceName: reached.instance.name,
                path: path,
                text: text,
                isNew: isNew,
                mayWrite: reached.role.may(.filesWrite)
            )
            return pages.render(
                "file-editor",
                title: "\(editor.name) · \(reached.instance.name)",
                content: editor,
                context: context,
                scripts: ["file-editor.js"]
            )
        }
        // The editor's save without scripts: the form's text (up to the form limit).
        group.post("instances/:id/files/save") { request, context in
            try await part.change(context, back: { id in "/instances/\(id)/files/edit?path=" + QueryValue.encode(context.form.raw("path")) }) {
                reached,
                id in
                let path = try context.form.required("path", label: "The file's path")
                _ = try await instances.files.write(context.form.raw("content"), to: path, of: id, as: reached.role)
                return ("saved file \(path)", "\(path) is saved.")
            }
        }
        // Uploads and the editor's scripted save: the body is the file, streamed through to the node.
        group.put("instances/:id/files/contents") { request, context in
            let (reached, id) = try await part.reach(context)
            do {
                let path = try request.requiredPathQueryItem()
                let length = request.headers[.contentLength].flatMap(Int64.init).map(HTTPClientRequest.Body.Length.known) ?? .unknown
                let entry = try await instances.files.upload(id, path: path, body: .stream(request.body, length: length), as: reached.role)
                await audit.record("uploaded file \(path)", target: reached.instance.name, instance: reached.instance.id, context: context)
                return try JSONResponse.make(entry, status: .created)
            } catch let error as PanelError {
                throw APIError(error.pageStatus, error.message)
            }
        }
        group.post("instances/:id/files/folder") { _, context in
            try await change(context) { reached, id in
                let name = try context.form.required("name", label: "The folder's name")
                let path = Self.join(context.form.raw("folder"), name)
                _ = try await instances.files.makeFolder(path, of: id, as: reached.role)
                return ("made folder \(path)", "The folder \(name) was made.")
            }
        }
        group.post("instances/:id/files/rename") { _, context in
            try await change(context) { reached, id in
                let folder = context.form.raw("folder")
                let from = Self.join(folder, try context.form.required("name", label: "The name"))
                let newName = try context.form.required("to", label: "The new name")
                let to = newName.hasPrefix("/") ? String(newName.dropFirst()) : Self.join(folder, newName)
                _ = try await instances.files.move(from, to: to, of: id, as: reached.role)
                return ("moved file \(from) to \(to)", "\(from) is now \(to).")
            }
        }
        group.post("instances/:id/files/copy") { _, context in
            try await change(context) { reached, id in
                let name = try context.form.required("name", label: "The name")
                let from = Self.join(context.form.raw("folder"), name)
                let to = Self.join(context.form.raw("folder"), Self.copyName(of: name))
                _ = try await instances.files.copy(from, to: to, of: id, as: reached.role)
                return ("copied file \(from) to \(to)", "\(name) was copied to \(Self.copyName(of: name)).")
            }
        }
        group.post("instances/:id/files/mode") { _, context in
            try await change(context) { reached, id in
                let path = Self.join(context.form.raw("folder"), try context.form.required("name", label: "The name"))
                let mode = try context.form.required("mode", label: "The permissions")
                _ = try await instances.files.setMode(mode, of: path, in: id, as: reached.role)
                return ("set permissions of \(path) to \(mode)", "The permissions of \(path) are \(mode) now.")
            }
        }
        group.post("instances/:id/files/compress") { _, context in
            try await change(context) { reached, id in
                let names = context.form.values["selected"] ?? []
                guard !names.isEmpty else { throw PanelError.invalid("select the files and folders to archive first") }
                let folder = context.form.raw("folder")
                let archive = try await instances.files.compress(
                    names,
                    in: folder.isEmpty ? "/" : folder,
                    format: context.form.optional("format") ?? "tar.gz",
                    name: nil,
                    of: id,
                    as: reached.role
                )
                return ("archived \(names.joined(separator: ", ")) as \(Self.join(folder, archive.name))", "\(archive.name) was made.")
            }
        }
        group.post("instances/:id/files/extract") { _, context in
            try await change(context) { reached, id in
                let path = Self.join(context.form.raw("folder"), try context.form.required("name", label: "The archive"))
                let answer = try await instances.files.extract(path, into: nil, of: id, as: reached.role)
                let skipped = answer.skipped > 0 ? " \(answer.skipped) hard links or special files were left out." : ""
                return ("extracted \(path)", "\(path) was extracted: \(answer.entries) entries.\(skipped)")
            }
        }
        group.post("instances/:id/files/pull") { _, context in
            try await change(context) { reached, id in
                let url = try context.form.required("url", label: "The URL")
                let folder = context.form.raw("folder")
                let entry = try await instances.files.pull(
                    url,
                    into: folder.isEmpty ? "/" : folder,
                    name: context.form.optional("name"),
                    of: id,
                    as: reached.role
                )
                return (
                    "fetched file \(Self.join(folder, entry.name)) from \(URL.withoutSecrets(url))",
                    "\(entry.name) was fetched (\(ByteCount.text(entry.size)))."
                )
            }
        }
        group.post("instances/:id/files/delete") { _, context in
            try await change(context) { reached, id in
                let names = context.form.values["selected"] ?? []
                guard !names.isEmpty else { throw PanelError.invalid("select the files and folders to delete first") }
                let paths = names.map { Self.join(context.form.raw("folder"), $0) }
                try await instances.files.delete(paths, of: id, as: reached.role)
                return (
                    "deleted \(paths.count == 1 ? "file" : "files") \(paths.joined(separator: ", "))",
                    paths.count == 1 ? "\(names[0]) was deleted." : "\(paths.count) entries were deleted."
                )
            }
        }
    }

    /// One change from a form on the folder page, which it goes back to.
    private func change(
        _ context: WebRequestContext,
        _ body: (ReachableInstance, String) async throws -> (action: String, message: String)
    ) async throws -> Response {
        try await part.change(context, back: { "/instances/\($0)/files?path=" + QueryValue.encode(context.form.raw("folder")) }, body)
    }

    static func join(_ folder: String, _ name: String) -> String {
        let trimmed = folder.split(separator: "/").joined(separator: "/")
        return trimmed.isEmpty ? name : trimmed + "/" + name
    }

    static func folderHref(_ id: String, of path: String) -> String {
        "/instances/\(id)/files?path=" + QueryValue.encode((path as NSString).deletingLastPathComponent)
    }

    /// `server.properties` → `server copy.properties`; `world` → `world copy`.
    static func copyName(of name: String) -> String {
        let ext = (name as NSString).pathExtension
        let stem = (name as NSString).deletingPathExtension
        return ext.isEmpty || stem.isEmpty ? name + " copy" : "\(stem) copy.\(ext)"
    }
}

extension PanelError {
    /// A refusal about who may do what (not about the file): shown as an error page, not a flash.
    var isAccessRefusal: Bool {
        if case .forbidden = self { return true }
        return false
    }
}
