import BerthPanel
import BerthProtocol
import Foundation
import Hummingbird
import Mustache

/// The web UI's templates (Mustache: every `{{value}}` is HTML-escaped), built into the binary.
struct WebPages: Sendable {
    private let library: MustacheLibrary

    init() throws {
        var templates: [String: MustacheTemplate] = [:]
        for path in EmbeddedResources.paths(under: "web/templates") where path.hasSuffix(".mustache") {
            guard let data = EmbeddedResources.data(path) else { continue }
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            templates[name] = try MustacheTemplate(string: String(decoding: data, as: UTF8.self))
        }
        library = MustacheLibrary(templates: templates)
    }

    /// A whole page: `template` renders `content` inside the layout.
    func render(
        _ template: String,
        title: String,
        content: Any = [String: String](),
        context: WebRequestContext,
        status: HTTPResponse.Status = .ok,
        scripts: [String] = []
    ) -> Response {
        let page = Page(layout: Layout(title: title, context: context, scripts: scripts), content: content)
        // A flash message is shown once.
        if page.layout.flash != nil { context.sessions.withLockedSession { $0?.flash = nil } }
        let html = library.render(page, withTemplate: template) ?? "missing template \(template)"
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }
}

/// What every template sees: `layout` for the frame around the page, `content` for the page itself.
struct Page {
    let layout: Layout
    let content: Any
}

/// The frame around every page: title, navigation, the signed-in user, the form token and a flash message.
struct Layout {
    let title: String
    let csrf: String
    let user: SignedInUser?
    let flash: WebSession.Flash?
    let navigation: [NavigationLink]
    let scripts: [String]
    let version = BerthVersion.current

    struct SignedInUser {
        let username: String
        let admin: Bool
    }

    struct NavigationLink {
        let title: String
        let href: String
        let current: Bool
    }

    init(title: String, context: WebRequestContext, scripts: [String]) {
        self.title = title
        let session = context.sessions.session
        csrf = session?.csrfToken ?? context.visitorFormToken ?? ""
        flash = session?.flash
        user = context.user.map { SignedInUser(username: $0.username, admin: $0.admin) }
        self.scripts = scripts
        let path = context.currentPath
        var links = [("Your instances", "/")]
        if context.user?.admin == true {
            links += [
                ("All instances", "/admin/instances"), ("Users", "/admin/users"), ("Nodes", "/admin/nodes"), ("Images", "/admin/images"),
                ("API keys", "/admin/api-keys"), ("Webhooks", "/admin/webhooks"), ("Mail", "/admin/mail"), ("Audit log", "/admin/audit"),
            ]
        }
        links.append(("Account", "/account"))
        navigation =
            context.user == nil
            ? []
            : links.map { title, href in
                NavigationLink(title: title, href: href, current: href == "/" ? path == "/" || path.hasPrefix("/instances") : path.hasPrefix(href))
            }
    }
}
